import { boardReply } from "#src/leaderboards/replies.ts";
import { type BoardKind, METRICS, PERIODS } from "#src/leaderboards/types.ts";
import { type Ctx, commandGroup, subcommand } from "./_kit.ts";

export const periodOption = {
  type: "string",
  description: "Which period (UTC): day, week, month or all (default week)",
  choices: PERIODS.map((p) => ({ name: p, value: p })),
} as const;

export const tokenOption = {
  type: "token",
  description: "Which token money boards count (default USDC)",
} as const;

export const METRIC_WORDS: Record<string, string> = {
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
      return await boardReply(board, config.CARD_IMAGES);
    },
  });
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
  },
});
