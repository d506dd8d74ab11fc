// What every /arena subcommand shares: the task and role options, and the arena's token.
import type { TokenInfo } from "#src/ledger/amount.ts";
import type { Ctx } from "../_kit.ts";
import { suggestArenaTasks } from "../_suggest.ts";

export const taskOption = {
  type: "integer",
  description: "The task's number (see /arena task list)",
  required: true,
  minValue: 1,
  autocomplete: suggestArenaTasks,
} as const;
export const roleOption = {
  type: "string",
  description: "As a training node or a validator",
  required: true,
  choices: [
    { name: "node", value: "node" },
    { name: "validator", value: "validator" },
  ],
} as const;

export const arenaToken = (ctx: Ctx): TokenInfo => ctx.services.arena.tokenInfo();
