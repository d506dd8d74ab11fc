import { Decimal } from "decimal.js";
import {
  ARENA_CODES,
  MAX_DESCRIPTION_LENGTH,
  MAX_MODEL_REF_LENGTH,
  MAX_TITLE_LENGTH,
  type TaskView,
} from "#src/arena/arena.ts";
import { literal } from "#src/core/markup.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { decimalString, formatMoney, formatTime, registerTransferLabels } from "./_format.ts";
import { type Ctx, commandGroup, subcommand } from "./_kit.ts";

registerTransferLabels({
  [ARENA_CODES.stake]: "staked in the arena",
  [ARENA_CODES.release]: "arena stake returned",
  [ARENA_CODES.reward]: "arena reward",
});

const PAGE_SIZE = 10;
const SHOWN_PARTICIPANTS = 15;

const taskOption = {
  type: "integer",
  description: "The task's number (see /arena task list)",
  required: true,
  minValue: 1,
} as const;
const roleOption = {
  type: "string",
  description: "As a training node or a validator",
  required: true,
  choices: [
    { name: "node", value: "node" },
    { name: "validator", value: "validator" },
  ],
} as const;

const arenaToken = (ctx: Ctx): TokenInfo => ctx.services.arena.tokenInfo();

/** An exact figure in atoms (decimal text), shown rounded down to the atom: no float holds money. */
function exact(atomsText: string, token: TokenInfo): string {
  return formatMoney(BigInt(new Decimal(atomsText).toFixed(0, Decimal.ROUND_DOWN)), token);
}

// ---- /arena task ... ----

const create = subcommand({
  description: "Open an AI training task for nodes and validators",
  options: {
    title: {
      type: "string",
      description: "What the task trains",
      required: true,
      maxLength: MAX_TITLE_LENGTH,
    },
    description: {
      type: "string",
      description: "Details for nodes and validators",
      maxLength: MAX_DESCRIPTION_LENGTH,
    },
    factory: { type: "integer", description: "The factory whose dataset it trains on", minValue: 1 },
  },
  async handler(ctx: Ctx, args) {
    const task = await ctx.services.arena.createTask({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      title: args.title,
      ...(args.description !== undefined ? { description: args.description } : {}),
      ...(args.factory !== undefined ? { factoryId: args.factory } : {}),
    });
    return {
      title: `Task ${task.id} opened`,
      text:
        `**${literal(task.title)}** is task ${task.id}${task.factoryId ? ` (on factory ${task.factoryId}'s dataset)` : ""}. ` +
        `Nodes join with /arena stake node task:${task.id} amount:…, validators with /arena stake validator task:${task.id} amount:….`,
      tone: "success",
      data: { task: taskData(task) },
    };
  },
});

const info = subcommand({
  description: "A task's nodes, validators and stakes",
  options: { task: taskOption },
  async handler(ctx: Ctx, args) {
    const { arena, db, identity } = ctx.services;
    const token = arenaToken(ctx);
    const info = await arena.taskInfo(db.prisma, args.task);
    const describe = async (p: (typeof info.nodes)[number]) => {
      const name = await identity.displayName(db.prisma, p.userId);
      const delegated =
        p.delegatedAtoms > 0n
          ? ` + ${formatMoney(p.delegatedAtoms, token)} from ${p.delegators} delegator(s)`
          : "";
      return `${literal(name)}: ${formatMoney(p.ownAtoms, token)}${delegated}, shares ${new Decimal(p.shareRatio).times(100).toString()}% with delegators`;
    };
    const section = async (label: string, list: typeof info.nodes) => {
      if (list.length === 0) return `${label}: none yet.`;
      const shown = await Promise.all(list.slice(0, SHOWN_PARTICIPANTS).map(describe));
      const more = list.length > SHOWN_PARTICIPANTS ? `\n…and ${list.length - SHOWN_PARTICIPANTS} more` : "";
      return `${label} (${list.length}):\n${shown.map((l) => `• ${l}`).join("\n")}${more}`;
    };
    return {
      title: `Task ${info.id}: ${info.title}`,
      text: [
        literal(info.description ?? ""),
        `Opened ${formatTime(info.createdAt)}${info.factoryId ? ` on factory ${info.factoryId}'s dataset` : ""}. Staked in all: ${formatMoney(info.stakeAtoms, token)}.`,
        await section("Training nodes", info.nodes),
        await section("Validators", info.validators),
      ]
        .filter(Boolean)
        .join("\n"),
      data: {
        task: taskData(info),
        stake: decimalString(info.stakeAtoms, token),
        nodes: info.nodes.map((p) => participantData(p, token)),
        validators: info.validators.map((p) => participantData(p, token)),
      },
    };
  },
});

const list = subcommand({
  description: "The arena's training tasks, newest first",
  async handler(ctx: Ctx) {
    const { arena, db } = ctx.services;
    const token = arenaToken(ctx);
    const { items, total } = await arena.listTasks(db.prisma, {
      limit: PAGE_SIZE,
      offset: (ctx.page - 1) * PAGE_SIZE,
    });
    if (items.length === 0)
      return {
        text:
          ctx.page > 1
            ? "There is nothing further back."
            : 'No tasks yet. Open one with /arena task create title:"…".',
        data: { tasks: [] },
      };
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    return {
      title: `Arena tasks — page ${ctx.page} of ${pages}`,
      text: items
        .map(
          (t) =>
            `#${t.id} **${literal(t.title)}**: ${formatMoney(t.stakeAtoms, token)} staked by ${t.participants} participant(s)`,
        )
        .join("\n"),
      page: { current: ctx.page, total: pages },
      data: {
        tasks: items.map((t) => ({
          ...taskData(t),
          stake: decimalString(t.stakeAtoms, token),
          participants: t.participants,
        })),
      },
    };
  },
});

// ---- /arena stake node|validator ----

function stakeAs(role: "node" | "validator") {
  return subcommand({
    description: role === "node" ? "Stake on a task as a training node" : "Stake on a task as a validator",
    personal: true,
    options: {
      task: taskOption,
      amount: { type: "amount", description: "How much to stake, e.g. 3,000", required: true },
    },
    async handler(ctx: Ctx, args) {
      const token = arenaToken(ctx);
      const amountAtoms = parsePositiveAmount(args.amount, token);
      const result = await ctx.services.arena.stake({
        actor: ctx.actor,
        key: ctx.key,
        now: ctx.now,
        taskId: args.task,
        role,
        amountAtoms,
      });
      return {
        title: "Staked",
        text:
          `You staked ${formatMoney(amountAtoms, token)} as a ${role} on task ${args.task} (your stake there: ${formatMoney(result.ownAtoms, token)}). ` +
          `It counts from the next epoch. Your balance: ${formatMoney(result.balanceAtoms, token)}.`,
        tone: "success",
        data: {
          task: args.task,
          role,
          amount: decimalString(amountAtoms, token),
          stake: decimalString(result.ownAtoms, token),
          balance: decimalString(result.balanceAtoms, token),
        },
      };
    },
  });
}

const unstake = subcommand({
  description: "Withdraw your stake as node or validator from a task",
  personal: true,
  options: { task: taskOption, role: roleOption },
  async handler(ctx: Ctx, args) {
    const token = arenaToken(ctx);
    const { withdrawnAtoms } = await ctx.services.arena.unstake({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      taskId: args.task,
      role: args.role,
    });
    return {
      title: "Unstaked",
      text:
        `Your ${role(args.role)} stake of ${formatMoney(withdrawnAtoms, token)} on task ${args.task} stops counting at the next epoch; ` +
        "it still earns this epoch and comes back to your balance once this epoch is settled.",
      tone: "success",
      data: { task: args.task, role: args.role, withdrawn: decimalString(withdrawnAtoms, token) },
    };
  },
});

const delegate = subcommand({
  description: "Delegate stake to a node or validator and share its rewards",
  personal: true,
  options: {
    task: taskOption,
    to: { type: "user", description: "The node or validator", required: true },
    role: roleOption,
    amount: { type: "amount", description: "How much to delegate, e.g. 1,000", required: true },
  },
  async handler(ctx: Ctx, args) {
    const token = arenaToken(ctx);
    const amountAtoms = parsePositiveAmount(args.amount, token);
    const result = await ctx.services.arena.delegate({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      taskId: args.task,
      role: args.role,
      toUserId: args.to.userId,
      amountAtoms,
    });
    return {
      title: "Delegated",
      text:
        `You delegated ${formatMoney(amountAtoms, token)} to ${literal(args.to.displayName)}'s ${args.role} on task ${args.task} ` +
        `(your delegation there: ${formatMoney(result.delegatedAtoms, token)}). It counts from the next epoch. ` +
        `Your balance: ${formatMoney(result.balanceAtoms, token)}.`,
      tone: "success",
      data: {
        task: args.task,
        role: args.role,
        to: args.to.userId,
        amount: decimalString(amountAtoms, token),
        delegated: decimalString(result.delegatedAtoms, token),
        balance: decimalString(result.balanceAtoms, token),
      },
    };
  },
});

const undelegate = subcommand({
  description: "Withdraw your delegation from a node or validator",
  personal: true,
  options: {
    task: taskOption,
    to: { type: "user", description: "The node or validator", required: true },
    role: roleOption,
  },
  async handler(ctx: Ctx, args) {
    const token = arenaToken(ctx);
    const { withdrawnAtoms } = await ctx.services.arena.undelegate({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      taskId: args.task,
      role: args.role,
      toUserId: args.to.userId,
    });
    return {
      title: "Undelegated",
      text:
        `Your delegation of ${formatMoney(withdrawnAtoms, token)} to ${literal(args.to.displayName)} stops counting at the next epoch; ` +
        "it comes back to your balance once this epoch is settled.",
      tone: "success",
      data: {
        task: args.task,
        role: args.role,
        to: args.to.userId,
        withdrawn: decimalString(withdrawnAtoms, token),
      },
    };
  },
});

const share = subcommand({
  description: "Set the share of your rewards your delegators get (once per 30 days)",
  personal: true,
  options: {
    task: taskOption,
    role: roleOption,
    ratio: {
      type: "decimal",
      description: "From 0 to 1, e.g. 0.6 for 60%",
      required: true,
      minValue: "0",
      maxValue: "1",
    },
  },
  async handler(ctx: Ctx, args) {
    const result = await ctx.services.arena.setShare({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      taskId: args.task,
      role: args.role,
      ratio: new Decimal(args.ratio.toString()),
    });
    return {
      title: "Sharing ratio set",
      text:
        `Your delegators on task ${args.task} now share ${new Decimal(result.shareRatio).times(100).toString()}% of what your ${role(args.role)} earns ` +
        `in proportion to their part of its stake. You can change it again from ${formatTime(result.nextChangeAt)}.`,
      tone: "success",
      data: {
        task: args.task,
        role: args.role,
        ratio: result.shareRatio,
        nextChangeAt: result.nextChangeAt.toISOString(),
      },
    };
  },
});

const submit = subcommand({
  description: "Submit your node's trained model for this epoch",
  options: {
    task: taskOption,
    model: {
      type: "string",
      description: "Where the model is, e.g. hf.co/you/model@v3",
      required: true,
      maxLength: MAX_MODEL_REF_LENGTH,
    },
  },
  async handler(ctx: Ctx, args) {
    const { submissionId } = await ctx.services.arena.submit({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      taskId: args.task,
      modelRef: args.model,
    });
    return {
      title: "Model submitted",
      text: `Submission #${submissionId} for task ${args.task}: ${args.model}. Validators can now score it; your latest submission of the epoch is the one that counts.`,
      tone: "success",
      data: { task: args.task, submissionId, model: args.model },
    };
  },
});

const score = subcommand({
  description: "As a validator, score a node's latest submission from 0 to 1",
  options: {
    task: taskOption,
    node: { type: "user", description: "The training node", required: true },
    score: {
      type: "decimal",
      description: "From 0 (useless) to 1 (perfect)",
      required: true,
      minValue: "0",
      maxValue: "1",
    },
  },
  async handler(ctx: Ctx, args) {
    const result = await ctx.services.arena.score({
      actor: ctx.actor,
      key: ctx.key,
      now: ctx.now,
      taskId: args.task,
      nodeUserId: args.node.userId,
      score: new Decimal(args.score.toString()),
    });
    return {
      text: `You scored ${literal(args.node.displayName)}'s submission #${result.submissionId} (${result.modelRef}) ${result.score}.`,
      tone: "success",
      data: {
        task: args.task,
        node: args.node.userId,
        submissionId: result.submissionId,
        score: result.score,
      },
    };
  },
});

const rewards = subcommand({
  description: "Your rewards in an epoch, with how each was computed",
  personal: true,
  options: {
    epoch: {
      type: "string",
      description: "The epoch, e.g. 2026-11-23 (default: your latest)",
      maxLength: 40,
    },
  },
  async handler(ctx: Ctx, args) {
    const { arena, db, tokens } = ctx.services;
    const found = await arena.rewardsOf(db.prisma, ctx.actor.userId, args.epoch?.trim());
    if (!found || found.lines.length === 0)
      return {
        text: args.epoch
          ? `You earned nothing in epoch ${args.epoch.trim()}.`
          : "You have no arena rewards yet: stake on a task (/arena stake) or delegate (/arena delegate).",
        data: { lines: [] },
      };
    const token = tokens.get(found.epoch.token);
    const taskLines = found.tasks.map(
      (t) =>
        `Task ${t.taskId} earned ${exact(t.taskShare, token)} of the epoch (R0): ${exact(t.nodesShare, token)} to its nodes, ` +
        `${exact(t.validatorsShare, token)} to its validators.`,
    );
    const text = found.lines.map((line) => {
      const money = formatMoney(line.amountAtoms, token);
      const paid = line.paid ? "" : " (being paid)";
      const b = line.breakdown;
      if (!b) return `• Task ${line.taskId}, as a delegator: ${money}${paid}`;
      const quality =
        line.role === "node"
          ? `consensus score ${b.consensusScore ?? "none"}${b.rank ? `, rank ${b.rank}` : ""}, g ${new Decimal(b.quality).toSignificantDigits(6)}`
          : `h ${new Decimal(b.quality).toSignificantDigits(6)}`;
      return (
        `• Task ${line.taskId}, as a ${line.role}: ${money}${paid}\n` +
        `  ${quality}; effective stake ${exact(b.effectiveStake, token)}; share f ${exact(b.share, token)}, ` +
        `you keep ${exact(b.own, token)}, your delegators ${exact(b.delegators, token)}`
      );
    });
    const kept =
      found.epoch.undistributedAtoms > 0n
        ? `\n${formatMoney(found.epoch.undistributedAtoms, token)} of this epoch had no one to receive it and stayed in the emission.`
        : "";
    return {
      title: `Arena rewards — epoch ${found.epoch.periodKey}`,
      text: `${[...taskLines, ...text].join("\n")}\nIn all: ${formatMoney(found.totalAtoms, token)} of the epoch's ${formatMoney(found.epoch.emissionAtoms, token)}.${kept}`,
      data: {
        epoch: found.epoch.periodKey,
        token: token.symbol,
        total: decimalString(found.totalAtoms, token),
        tasks: found.tasks,
        lines: found.lines.map((l) => ({
          taskId: l.taskId,
          role: l.role,
          amount: decimalString(l.amountAtoms, token),
          paid: l.paid,
          breakdown: l.breakdown ?? null,
        })),
      },
    };
  },
});

const role = (r: string) => (r === "node" ? "node's" : "validator's");

function taskData(t: TaskView) {
  return {
    id: t.id,
    title: t.title,
    description: t.description,
    factoryId: t.factoryId,
    creatorId: t.creatorId,
    createdAt: t.createdAt.toISOString(),
  };
}

function participantData(
  p: { userId: number; ownAtoms: bigint; delegatedAtoms: bigint; delegators: number; shareRatio: string },
  token: TokenInfo,
) {
  return {
    userId: p.userId,
    stake: decimalString(p.ownAtoms, token),
    delegated: decimalString(p.delegatedAtoms, token),
    delegators: p.delegators,
    shareRatio: p.shareRatio,
  };
}

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
