import type { ChannelRef } from "#src/core/spec.ts";
import { boardReply } from "#src/leaderboards/replies.ts";
import type { ScheduleRequest, ScheduleView } from "#src/leaderboards/schedules.ts";
import { BOARD_KINDS, type BoardKind, METRICS, PERIODS, type PeriodName } from "#src/leaderboards/types.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { formatTime } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

const periodOption = {
  type: "string",
  description: "Which period (UTC): day, week, month or all (default week)",
  choices: PERIODS.map((p) => ({ name: p, value: p })),
} as const;

const tokenOption = { type: "token", description: "Which token money boards count (default USDC)" } as const;

const METRIC_WORDS: Record<string, string> = {
  earnings: "earnings",
  quality: "average quality",
  commissions: "commissions",
  referrals: "active referrals",
  demonstrations: "demonstrations paid",
  funds: "funds",
  nodes: "training nodes",
  validators: "validators",
  volume: "volume",
  marketcap: "market cap",
  creator_fees: "creators' fee income",
};

function metricOption(kind: BoardKind) {
  return {
    type: "string",
    description: `Rank by ${METRICS[kind].map((m) => METRIC_WORDS[m]).join(" or ")}`,
    choices: METRICS[kind].map((m) => ({ name: METRIC_WORDS[m]!, value: m })),
  } as const;
}

function show(kind: BoardKind, description: string) {
  return subcommand({
    description,
    options: { metric: metricOption(kind), period: periodOption, token: tokenOption },
    async handler(ctx: Ctx, args) {
      const { leaderboards, config } = ctx.services;
      const board = await leaderboards.board({
        kind,
        ...(args.metric ? { metric: args.metric } : {}),
        period: args.period ?? "week",
        ...(args.token ? { token: args.token } : {}),
        viewerUserId: ctx.actor.userId,
        now: ctx.now,
      });
      return boardReply(board, config.CARD_IMAGES);
    },
  });
}

const boardOption = {
  type: "string",
  description: "Which leaderboard",
  required: true,
  choices: BOARD_KINDS.map((k) => ({ name: k, value: k })),
} as const;

const anyMetricOption = {
  type: "string",
  description: "What to rank by, e.g. earnings or quality (default: the board's first)",
  choices: Object.entries(METRIC_WORDS).map(([value, name]) => ({ name, value })),
} as const;

const channelOption = { type: "channel", description: "Where to post it", required: true } as const;

/** How a posted board ranks: metric, period and token (post and schedule). */
const boardShapeOptions = { metric: anyMetricOption, period: periodOption, token: tokenOption } as const;

const postedBoardOptions = { board: boardOption, channel: channelOption, ...boardShapeOptions } as const;

/** The board a moderator posts or schedules, as the schedules service takes it. */
function postedBoard(args: {
  channel: ChannelRef;
  board: BoardKind;
  metric?: string;
  period?: PeriodName;
  token?: TokenInfo;
}): Omit<ScheduleRequest, "actor" | "key" | "now" | "cron"> {
  return {
    channel: args.channel,
    board: args.board,
    ...(args.metric ? { metric: args.metric } : {}),
    period: args.period ?? "week",
    ...(args.token ? { token: args.token.symbol } : {}),
  };
}

const post = subcommand({
  description: "Post a leaderboard in a channel or chat now",
  access: "moderator",
  options: {
    ...postedBoardOptions,
  },
  async handler(ctx: Ctx, args) {
    const { leaderboards, notifier, config } = ctx.services;
    const { title } = await leaderboards.schedules.postNow(
      {
        ...requestOf(ctx),
        ...postedBoard(args),
      },
      notifier,
      config.CARD_IMAGES,
    );
    return {
      text: `Posted "${title}" in ${args.channel.name ?? args.channel.id}.`,
      tone: "success",
      data: { channel: args.channel.id, board: args.board },
    };
  },
});

const schedule = subcommand({
  description: "Post a leaderboard in a channel on a schedule (cron, UTC)",
  access: "moderator",
  options: {
    board: boardOption,
    channel: channelOption,
    cron: {
      type: "string",
      description: 'When, as cron in UTC: minute hour day month weekday, e.g. "0 9 * * 1"',
      required: true,
      maxLength: 100,
    },
    ...boardShapeOptions,
  },
  async handler(ctx: Ctx, args) {
    const view = await ctx.services.leaderboards.schedules.schedule({
      ...requestOf(ctx),
      ...postedBoard(args),
      cron: args.cron,
    });
    return {
      text: `Scheduled leaderboard #${view.id}: ${describe(view)}. /leaderboard unschedule id:${view.id} stops it.`,
      tone: "success",
      data: scheduleData(view),
    };
  },
});

const unschedule = subcommand({
  description: "Stop a scheduled leaderboard",
  access: "moderator",
  options: {
    id: {
      type: "integer",
      description: "Its number, from /leaderboard schedules",
      required: true,
      minValue: 1,
    },
  },
  async handler(ctx: Ctx, args) {
    const view = await ctx.services.leaderboards.schedules.unschedule({
      ...requestOf(ctx),
      id: args.id,
    });
    return { text: `Scheduled leaderboard #${view.id} removed.`, tone: "success", data: scheduleData(view) };
  },
});

const schedules = subcommand({
  description: "The scheduled leaderboards",
  access: "moderator",
  async handler(ctx: Ctx) {
    const views = await ctx.services.leaderboards.schedules.list(ctx.now);
    return {
      title: "Scheduled leaderboards",
      text:
        views.length === 0
          ? "None. /leaderboard schedule adds one."
          : views.map((v) => `#${v.id}: ${describe(v)}`).join("\n"),
      data: { schedules: views.map(scheduleData) },
    };
  },
});

function describe(view: ScheduleView): string {
  const where = view.channelName ?? view.channelId;
  const next = view.nextPostAt ? `, next ${formatTime(view.nextPostAt)}` : "";
  const token = view.token ? ` ${view.token}` : "";
  return `${view.board} by ${METRIC_WORDS[view.metric]} (${view.period}${token}) in ${where} on ${view.platform}, "${view.cron}"${next}`;
}

function scheduleData(view: ScheduleView) {
  return {
    id: view.id,
    platform: view.platform,
    channel: view.channelId,
    board: view.board,
    metric: view.metric,
    period: view.period,
    token: view.token,
    cron: view.cron,
    nextPostAt: view.nextPostAt?.toISOString() ?? null,
  };
}

export default commandGroup({
  name: "leaderboard",
  description: "Who leads: farmers, ambassadors, factories, the arena and dataset tokens",
  category: "Community",
  subcommands: {
    farmers: show("farmers", "Top farmers by earnings or average quality"),
    ambassadors: show("ambassadors", "Top ambassadors by commissions or active referrals"),
    factories: show("factories", "Top factories by demonstrations paid or funds"),
    arena: show("arena", "Top arena nodes or validators by rewards"),
    datasets: show("datasets", "Top dataset tokens by volume or market cap; creators by fee income"),
    post,
    schedule,
    unschedule,
    schedules,
  },
});
