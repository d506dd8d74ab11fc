// The leaderboards: who leads each board in a period, with the viewer's own rank even outside the
// top. Money comes from the ledger (ledger-metrics.ts); counts that only other features record come
// from their providers (providers.ts). Read-only: nothing here moves or writes anything.
import { Decimal } from "decimal.js";
import { UserError } from "#src/core/errors.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import { formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import { DATASET_FEE_CODE } from "./dataset-providers.ts";
import {
  creditedToUsers,
  demonstrationsPaidByFactory,
  fundsByFactory,
  LEADERBOARD_CODES,
  type LedgerTotal,
} from "./ledger-metrics.ts";
import { periodLabel, periodWindow, type Window } from "./periods.ts";
import type { LeaderboardProviders } from "./providers.ts";
import { type Ranked, rank, type Scored, topWithViewer } from "./ranking.ts";
import { LeaderboardSchedules, type PostPolicyOptions } from "./schedules.ts";
import { Summaries } from "./summaries.ts";
import {
  type Board,
  type BoardKind,
  type BoardRow,
  METRICS,
  type Metric,
  MONEY_METRICS,
  type PeriodName,
} from "./types.ts";

export interface BoardQuery {
  kind: BoardKind;
  /** Defaults to the kind's first metric. */
  metric?: Metric;
  period: PeriodName;
  /** For money metrics; defaults to the configured token. */
  token?: TokenInfo;
  viewerUserId?: number;
  now: Date;
  /** How many rows at the top (default 10). */
  limit?: number;
}

export interface LeaderboardSettings {
  /** Graded demonstrations a farmer needs in the period to be ranked by average quality. */
  minimumQualityCount: number;
  defaultToken: string;
  /** Scheduled posts' lease and attempts (defaults in schedules.ts). */
  posts?: PostPolicyOptions;
}

interface Entry {
  display: string;
  detail?: string;
}

const TITLES: Record<Metric, string> = {
  earnings: "Top farmers by earnings",
  quality: "Top farmers by average quality",
  commissions: "Top ambassadors by commissions",
  referrals: "Top ambassadors by active referrals",
  demonstrations: "Top factories by demonstrations paid",
  funds: "Top factories by funds",
  nodes: "Top arena nodes by rewards",
  validators: "Top arena validators by rewards",
  volume: "Top dataset tokens by volume",
  marketcap: "Top dataset tokens by market cap",
  creator_fees: "Top dataset creators by volume fees earned",
};

/** Boards whose rows are dataset tokens (named by symbol), not members. */
const TOKEN_METRICS: ReadonlySet<Metric> = new Set<Metric>(["volume", "marketcap"]);
/** The token the dataset boards count in, whatever token was asked for. */
const DATASET_BOARD_TOKEN = "CLONES";

export class Leaderboards {
  /** Profiles and pools, for their cards. */
  readonly summaries: Summaries;
  /** Posts on a cron schedule (/admin leaderboard schedule) and the job that makes them. */
  readonly schedules: LeaderboardSchedules;

  constructor(
    private readonly db: Database,
    ledger: Ledger,
    private readonly tokens: TokenRegistry,
    readonly settings: LeaderboardSettings,
    /** Filled in by the features that record what the ledger does not. */
    readonly providers: LeaderboardProviders = {},
  ) {
    this.summaries = new Summaries(db, ledger, tokens, this);
    this.schedules = new LeaderboardSchedules(db, tokens, this, settings.posts);
  }

  /** The metric a board uses by default, or the one asked for if it belongs to that board. */
  metricFor(kind: BoardKind, metric: string | undefined): Metric {
    const allowed: readonly string[] = METRICS[kind];
    if (metric === undefined) return allowed[0] as Metric;
    if (!allowed.includes(metric))
      throw new UserError(
        "invalid_metric",
        `The ${kind} board ranks by ${allowed.join(" or ")}, not "${metric}". Choose one of those.`,
      );
    return metric as Metric;
  }

  async board(query: BoardQuery): Promise<Board> {
    const metric = this.metricFor(query.kind, query.metric);
    const money = MONEY_METRICS.has(metric);
    const token =
      query.kind === "datasets"
        ? this.tokens.get(DATASET_BOARD_TOKEN)
        : money
          ? (query.token ?? this.tokens.get(this.settings.defaultToken))
          : undefined;
    const window = periodWindow(query.period, query.now);
    const limit = Math.max(1, Math.min(query.limit ?? 10, 25));
    const db = this.db.prisma;
    const subtitle = [periodLabel(query.period, query.now), token?.symbol].filter(Boolean).join(" · ");
    const base = {
      kind: query.kind,
      metric,
      period: query.period,
      ...(token ? { token: token.symbol } : {}),
      title: TITLES[metric],
      subtitle,
    };

    const scored = await this.scores(db, metric, window, token);
    if (scored === "unavailable") {
      return {
        ...base,
        rows: [],
        ranked: 0,
        unavailable: `${TITLES[metric]} needs data this installation does not record yet.`,
      };
    }
    const ranked = rank(scored.entries);
    const tokenBoard = TOKEN_METRICS.has(metric);
    const userBoard = query.kind !== "factories" && !tokenBoard;
    // Whose rows are the viewer's: their own, or on the factories board the factories they created.
    const viewerIds =
      query.viewerUserId === undefined
        ? undefined
        : userBoard
          ? new Set([String(query.viewerUserId)])
          : tokenBoard
            ? new Set(await this.datasetTokensOf(db, query.viewerUserId))
            : new Set(await this.factoriesOf(db, query.viewerUserId));
    const { top, viewer } = topWithViewer(ranked, limit, viewerIds);
    const shown = [...top, ...(viewer ? [viewer] : [])].map((r) => r.id);
    const names = tokenBoard
      ? ((await this.providers.datasets?.names(db, shown)) ?? new Map<string, string>())
      : await this.names(db, query.kind, shown);
    const toRow = (r: Ranked<Entry>): BoardRow => ({
      rank: r.rank,
      id: r.id,
      name: names.get(r.id) ?? (userBoard ? `member #${r.id}` : tokenBoard ? r.id : `Factory #${r.id}`),
      value: r.item.display,
      ...(r.item.detail ? { detail: r.item.detail } : {}),
      isViewer: viewerIds?.has(r.id) ?? false,
    });
    const board: Board = {
      ...base,
      rows: top.map(toRow),
      ranked: ranked.length,
      ...(metric === "quality" ? { minimumCount: this.settings.minimumQualityCount } : {}),
    };
    if (viewer) board.viewer = toRow(viewer);
    else if (viewerIds !== undefined && !ranked.some((r) => viewerIds.has(r.id)))
      board.viewerNote = userBoard
        ? (scored.whyNotRanked.get(String(query.viewerUserId)) ??
          "You are not on this board yet for this period.")
        : tokenBoard
          ? viewerIds.size === 0
            ? "This board ranks dataset tokens, and none is of a factory you created."
            : "Your dataset tokens are not on this board yet for this period."
          : viewerIds.size === 0
            ? "This board ranks factories, and you have not created one."
            : viewerIds.size === 1
              ? "Your factory is not on this board yet for this period."
              : `None of your ${viewerIds.size} factories is on this board yet for this period.`;
    return board;
  }

  private async scores(
    db: TxClient,
    metric: Metric,
    window: Window,
    token: TokenInfo | undefined,
  ): Promise<{ entries: Array<Scored<Entry>>; whyNotRanked: Map<string, string> } | "unavailable"> {
    const whyNotRanked = new Map<string, string>();
    const fromMoney = (totals: LedgerTotal[], detail?: (t: LedgerTotal) => string) => ({
      entries: totals
        .filter((t) => t.amountAtoms > 0n)
        .map((t) => ({
          id: t.id,
          score: t.amountAtoms,
          item: { display: formatMoney(t.amountAtoms, token!), ...(detail ? { detail: detail(t) } : {}) },
        })),
      whyNotRanked,
    });
    switch (metric) {
      case "earnings":
        return fromMoney(
          await creditedToUsers(db, [LEADERBOARD_CODES.farmerPayout], token!.symbol, window),
          (t) => plural(t.count, "payout"),
        );
      case "commissions":
        return fromMoney(
          await creditedToUsers(db, LEADERBOARD_CODES.commissions, token!.symbol, window),
          (t) => plural(t.count, "commission"),
        );
      case "nodes":
      case "validators":
        return fromMoney(
          await creditedToUsers(db, [LEADERBOARD_CODES.arenaReward], token!.symbol, window, {
            metaKey: "role",
            metaValue: metric === "nodes" ? "node" : "validator",
          }),
        );
      case "funds":
        return fromMoney(await fundsByFactory(db, token!.symbol, window), (t) => plural(t.count, "deposit"));
      case "creator_fees":
        return fromMoney(await creditedToUsers(db, [DATASET_FEE_CODE], token!.symbol, window), (t) =>
          plural(t.count, "trade"),
        );
      case "volume": {
        const source = this.providers.datasets;
        if (!source) return "unavailable";
        return fromMoney(
          (await source.volume(db, window)).map((v) => ({
            id: v.symbol,
            amountAtoms: v.amountAtoms,
            count: v.trades,
          })),
          (t) => plural(t.count, "trade"),
        );
      }
      case "marketcap": {
        const source = this.providers.datasets;
        if (!source) return "unavailable";
        return fromMoney(
          (await source.marketCaps(db)).map((v) => ({ id: v.symbol, amountAtoms: v.amountAtoms, count: 0 })),
        );
      }
      case "demonstrations": {
        const totals = await demonstrationsPaidByFactory(db, window);
        return {
          entries: totals
            .filter((t) => t.count > 0)
            .map((t) => ({ id: t.id, score: BigInt(t.count), item: { display: plural(t.count, "paid") } })),
          whyNotRanked,
        };
      }
      case "referrals": {
        const source = this.providers.referrals;
        if (!source) return "unavailable";
        const counts = await source.activeReferrals(db, window);
        return {
          entries: counts
            .filter((c) => c.count > 0)
            .map((c) => ({
              id: String(c.userId),
              score: BigInt(c.count),
              item: { display: `${c.count} active` },
            })),
          whyNotRanked,
        };
      }
      case "quality": {
        const source = this.providers.quality;
        if (!source) return "unavailable";
        const minimum = this.settings.minimumQualityCount;
        const entries: Array<Scored<Entry>> = [];
        for (const q of await source.farmerQuality(db, window)) {
          if (q.count < minimum) {
            whyNotRanked.set(
              String(q.userId),
              `You have ${plural(q.count, "graded demonstration")} in this period; ${minimum} are needed to be ranked by quality.`,
            );
            continue;
          }
          const average = new Decimal(q.averageQuality);
          entries.push({
            id: String(q.userId),
            score: average,
            item: {
              display: average.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2),
              detail: plural(q.count, "graded"),
            },
          });
        }
        return { entries, whyNotRanked };
      }
    }
  }

  /**
   * The factories the viewer created, with those of accounts /link merged into theirs (factories
   * keep the creator id they were made with, as the ledger boards count a merged account's money).
   */
  private async factoriesOf(db: TxClient, userId: number): Promise<string[]> {
    const source = this.providers.factories;
    if (!source?.factoriesOf) return [];
    const merged = await db.user.findMany({ where: { mergedIntoId: userId }, select: { id: true } });
    return source.factoriesOf(db, [userId, ...merged.map((u) => u.id)]);
  }

  /** The dataset tokens of the factories the viewer (or accounts /link merged into theirs) created. */
  private async datasetTokensOf(db: TxClient, userId: number): Promise<string[]> {
    const source = this.providers.datasets;
    if (!source) return [];
    const merged = await db.user.findMany({ where: { mergedIntoId: userId }, select: { id: true } });
    return source.tokensOf(db, [userId, ...merged.map((u) => u.id)]);
  }

  private async names(db: TxClient, kind: BoardKind, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    if (kind === "factories") return (await this.providers.factories?.factoryNames(db, ids)) ?? new Map();
    const users = await db.user.findMany({
      where: { id: { in: ids.filter((id) => /^\d+$/.test(id)).map(Number) } },
      select: { id: true, displayName: true },
    });
    return new Map(users.map((u) => [String(u.id), u.displayName]));
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 || noun.endsWith("paid") || noun.endsWith("graded") ? "" : "s"}`;
}
