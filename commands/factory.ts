import { UserError } from "#src/core/errors.ts";
import { FACTORY_FIELDS } from "#src/economy/pools/factory-fields.ts";
import { SETUP_KINDS, type SetupKind } from "#src/economy/pools/factory-lifecycle.ts";
import type { FactoryView } from "#src/economy/pools/factory-views.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { decimalString, formatMoney, formatTime } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";
import { factoryData, factoryLine, factoryReply, splitObjectives } from "./_pools.ts";
import { suggestFactories } from "./_suggest.ts";

const factoryOption = {
  factory: {
    type: "integer",
    description: "The factory's number, e.g. 3",
    required: true,
    minValue: 1,
    autocomplete: suggestFactories,
  },
} as const;

/** A task's app and objectives, as /factory create and /factory addtask both ask for them. */
const taskDetailOptions = {
  app: {
    type: "string",
    description: "The app the task is done in",
    required: true,
    maxLength: FACTORY_FIELDS.taskAppMax,
  },
  objectives: {
    type: "string",
    description: 'Objectives separated by ";"',
    required: true,
    maxLength: FACTORY_FIELDS.objectivesTextMax,
  },
} as const;

const limitOptions = {
  per_farmer_task: { type: "integer", description: "Uploads per farmer per task (0: no limit)", minValue: 0 },
  per_day: { type: "integer", description: "Uploads per day, UTC (0: no limit)", minValue: 0 },
  total: { type: "integer", description: "Uploads in total (0: no limit)", minValue: 0 },
  min_reputation: {
    type: "integer",
    description: "Premium: minimum reputation 0-100 (0: open to all)",
    minValue: 0,
    maxValue: FACTORY_FIELDS.minReputationMax,
  },
  premium_hours: {
    type: "integer",
    description: "Premium first: hours after the first funding until open to all (0: premium for good)",
    minValue: 0,
    maxValue: FACTORY_FIELDS.premiumHoursMax,
  },
  playground_top: {
    type: "integer",
    description: "The Playground: only the month's top N farmers by quality may submit (0: everyone)",
    minValue: 0,
    maxValue: FACTORY_FIELDS.playgroundTopMax,
  },
} as const;

/** A task as the service takes it, from its title and the create/addtask options. */
const taskOf = (title: string, args: { app: string; objectives: string; ref?: string }) => ({
  title,
  app: args.app,
  objectives: splitObjectives(args.objectives),
  ...(args.ref ? { ref: args.ref } : {}),
});

function limitsOf(args: {
  per_farmer_task?: number;
  per_day?: number;
  total?: number;
  min_reputation?: number;
  premium_hours?: number;
  playground_top?: number;
}) {
  return {
    ...(args.per_farmer_task !== undefined ? { limitPerFarmerTask: args.per_farmer_task } : {}),
    ...(args.per_day !== undefined ? { limitPerDay: args.per_day } : {}),
    ...(args.total !== undefined ? { limitTotal: args.total } : {}),
    ...(args.min_reputation !== undefined ? { minReputation: args.min_reputation } : {}),
    ...(args.premium_hours !== undefined ? { premiumHours: args.premium_hours } : {}),
    ...(args.playground_top !== undefined ? { playgroundTop: args.playground_top } : {}),
  };
}

const create = subcommand({
  description: "Open a factory: a pool paying farmers per demonstration of its tasks",
  options: {
    name: {
      type: "string",
      description: "The factory's name",
      required: true,
      maxLength: FACTORY_FIELDS.nameMax,
    },
    token: { type: "token", description: "The token it pays in, e.g. USDC", required: true },
    bid: { type: "amount", description: "The most paid per demonstration, e.g. 0.2", required: true },
    task: {
      type: "string",
      description: "The first task's title",
      required: true,
      maxLength: FACTORY_FIELDS.taskTitleMax,
    },
    ...taskDetailOptions,
    ref: {
      type: "string",
      description: "The task's id in the recorder (default task_1)",
      maxLength: FACTORY_FIELDS.taskRefMax,
    },
    description: {
      type: "string",
      description: "What the data is for",
      maxLength: FACTORY_FIELDS.descriptionMax,
    },
    kind: {
      type: "string",
      description: "forge fees: web2 (setup fee from the deposit, default) or web3 (charged separately)",
      choices: SETUP_KINDS.map((k) => ({ name: k, value: k })),
    },
    ...limitOptions,
  },
  async handler(ctx: Ctx, args) {
    const { factories } = ctx.services;
    const f = await factories.create({
      ...requestOf(ctx),
      name: args.name,
      description: args.description ?? "",
      token: args.token.symbol,
      bidAtoms: parsePositiveAmount(args.bid, args.token),
      tasks: [taskOf(args.task, args)],
      limits: limitsOf(args),
      ...(args.kind ? { kind: args.kind as SetupKind } : {}),
    });
    return factoryReply(ctx.services, f, `Factory #${f.id} "${f.name}" created`, {
      changed: true,
      note: [
        await separateSetupFeeNote(ctx, f),
        `Fund it with /pool fund factory:${f.id} amount:…; /factory addtask adds tasks.`,
      ]
        .filter(Boolean)
        .join("\n"),
    });
  },
});

/** A web3 setup fee is charged from another balance at the first funding: say now whether it can be. */
async function separateSetupFeeNote(ctx: Ctx, f: FactoryView): Promise<string> {
  const { terms } = f;
  if (terms.policy !== "forge" || terms.setupFeeAtoms === 0n || terms.setupFeeToken === f.token) return "";
  const { ledger, tokens, db } = ctx.services;
  const feeToken = tokens.get(terms.setupFeeToken);
  const { availableAtoms } = await ledger.balance(
    db.prisma,
    accounts.user(ctx.actor.userId, feeToken.symbol),
  );
  const fee = formatMoney(terms.setupFeeAtoms, feeToken);
  return availableAtoms >= terms.setupFeeAtoms
    ? `The first funding also charges the ${fee} setup fee from your ${feeToken.symbol} balance.`
    : `The first funding also charges the ${fee} setup fee from your ${feeToken.symbol} balance, which has ${formatMoney(availableAtoms, feeToken)}: add ${feeToken.symbol} before funding.`;
}

const addtask = subcommand({
  description: "Add a task to your factory",
  options: {
    ...factoryOption,
    title: {
      type: "string",
      description: "The task's title",
      required: true,
      maxLength: FACTORY_FIELDS.taskTitleMax,
    },
    ...taskDetailOptions,
    ref: {
      type: "string",
      description: "The task's id in the recorder (default task_<n>)",
      maxLength: FACTORY_FIELDS.taskRefMax,
    },
  },
  async handler(ctx: Ctx, args) {
    const f = await ctx.services.factories.addTask({
      ...requestOf(ctx),
      factoryId: args.factory,
      task: taskOf(args.title, args),
    });
    return factoryReply(ctx.services, f, `Factory #${f.id}: task added`, { changed: true });
  },
});

const edit = subcommand({
  description: "Change your factory's name, description, limits or minimum reputation",
  options: {
    ...factoryOption,
    name: { type: "string", description: "A new name", maxLength: FACTORY_FIELDS.nameMax },
    description: {
      type: "string",
      description: "A new description",
      maxLength: FACTORY_FIELDS.descriptionMax,
    },
    ...limitOptions,
  },
  async handler(ctx: Ctx, args) {
    const f = await ctx.services.factories.edit({
      ...requestOf(ctx),
      factoryId: args.factory,
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.description !== undefined ? { description: args.description } : {}),
      limits: limitsOf(args),
    });
    return factoryReply(ctx.services, f, `Factory #${f.id} updated`, { changed: true });
  },
});

const statusChange = (action: "pause" | "resume" | "close", description: string, after: string) =>
  subcommand({
    description,
    options: factoryOption,
    async handler(ctx: Ctx, args) {
      const f = await ctx.services.factories.setStatus({
        ...requestOf(ctx),
        factoryId: args.factory,
        action,
      });
      return factoryReply(ctx.services, f, `Factory #${f.id} ${after}`, { changed: true });
    },
  });

const info = subcommand({
  description: "A factory: status, balance, bid, tasks, terms",
  options: factoryOption,
  async handler(ctx: Ctx, args) {
    const f = await ctx.services.factories.view(ctx.services.db.prisma, args.factory);
    return factoryReply(ctx.services, f, `Factory #${f.id}: ${f.name}`);
  },
});

const list = subcommand({
  description: "Factories: all, yours, or by status",
  options: {
    mine: { type: "boolean", description: "Only yours" },
    status: {
      type: "string",
      description: "Only this status",
      choices: [
        { name: "live", value: "live" },
        { name: "paused", value: "paused" },
        { name: "out of funds", value: "out_of_funds" },
        { name: "closed", value: "closed" },
      ],
    },
  },
  async handler(ctx: Ctx, args) {
    const views = await ctx.services.factories.list(ctx.services.db.prisma, {
      ...(args.mine ? { creatorUserId: ctx.actor.userId } : {}),
      ...(args.status ? { status: args.status } : {}),
    });
    return {
      title: "Factories",
      text: views.length
        ? views.map((f) => factoryLine(ctx.services, f)).join("\n")
        : "No factory matches. /factory create opens one.",
      data: { factories: views.map((f) => factoryData(ctx.services, f)) },
    };
  },
});

export const bidHistoryText = async (ctx: Ctx, factoryId: number) => {
  const { factories, tokens, db } = ctx.services;
  const f = await factories.find(db.prisma, factoryId);
  const token = tokens.get(f.token);
  const history = await factories.bidHistory(db.prisma, factoryId);
  if (history.length === 0) throw new UserError("not_found", "This factory has no bids yet.");
  return {
    title: `Factory #${factoryId}: bid history`,
    text: history.map((h) => `${formatTime(h.at)}: ${formatMoney(h.bidAtoms, token)}`).join("\n"),
    data: { bids: history.map((h) => ({ bid: decimalString(h.bidAtoms, token), at: h.at.toISOString() })) },
  };
};

export default commandGroup({
  name: "factory",
  description: "Open and run factories: data-collection campaigns with a pool",
  category: "Factories",
  subcommands: {
    create,
    addtask,
    edit,
    pause: statusChange("pause", "Stop taking submissions (funds can then be withdrawn)", "paused"),
    resume: statusChange("resume", "Take submissions again", "resumed"),
    close: statusChange("close", "Close for good (the unreserved balance can be withdrawn)", "closed"),
    info,
    list,
  },
});
