// /arena: tasks, stakes, delegations, models, scores and rewards. One file per group of subcommands.
import { ARENA_CODES } from "#src/arena/types.ts";
import { registerTransferLabels } from "../_format.ts";
import { commandGroup } from "../_kit.ts";
import { score, submit } from "./models.ts";
import { rewards } from "./rewards.ts";
import { delegate, share, stakeAs, undelegate, unstake } from "./stakes.ts";
import { create, info, list } from "./tasks.ts";

registerTransferLabels({
  [ARENA_CODES.stake]: "staked in the arena",
  [ARENA_CODES.release]: "arena stake returned",
  [ARENA_CODES.reward]: "arena reward",
});

export default commandGroup({
  name: "arena",
  description: "The arena: stake on AI training tasks as node, validator or delegator",
  category: "Arena",
  groups: {
    task: { description: "Training tasks", subcommands: { create, info, list } },
    stake: {
      description: "Stake on a task",
      subcommands: { node: stakeAs("node"), validator: stakeAs("validator") },
    },
  },
  subcommands: { unstake, delegate, undelegate, share, submit, score, rewards },
});
