// /arena task create|info|list: opening tasks and reading who takes part.
import { Decimal } from "decimal.js";
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, type TaskView } from "#src/arena/types.ts";
import { literal } from "#src/core/markup.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { countOf, decimalString, formatMoney, formatTime } from "../_format.ts";
import { type Ctx, paging, requestOf, subcommand } from "../_kit.ts";
import { suggestFactories } from "../_suggest.ts";
import { arenaToken, taskOption } from "./options.ts";

const SHOWN_PARTICIPANTS = 15;

export const create = subcommand({
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
    factory: {
      type: "integer",
      description: "The factory whose dataset it trains on",
      minValue: 1,
      autocomplete: suggestFactories,
    },
  },
  async handler(ctx: Ctx, args) {
    const task = await ctx.services.arena.createTask({
      ...requestOf(ctx),
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

export const info = subcommand({
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
          ? ` + ${formatMoney(p.delegatedAtoms, token)} from ${countOf(p.delegators, "delegator")}`
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

export const list = subcommand({
  description: "The arena's training tasks, newest first",
  async handler(ctx: Ctx) {
    const { arena, db } = ctx.services;
    const token = arenaToken(ctx);
    const page = paging(ctx);
    const { items, total } = await arena.listTasks(db.prisma, page.window);
    if (items.length === 0)
      return {
        text: page.empty('No tasks yet. Open one with /arena task create title:"…".'),
        data: { tasks: [] },
      };
    return {
      ...page.of(total, "Arena tasks"),
      text: items
        .map(
          (t) =>
            `#${t.id} **${literal(t.title)}**: ${formatMoney(t.stakeAtoms, token)} staked by ${countOf(t.participants, "participant")}`,
        )
        .join("\n"),
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
