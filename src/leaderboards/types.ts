// What a leaderboard is, whichever way it is shown (text reply, card, channel post).

export const BOARD_KINDS = ["farmers", "ambassadors", "factories", "arena", "datasets"] as const;
export type BoardKind = (typeof BOARD_KINDS)[number];

export const PERIODS = ["day", "week", "month", "all"] as const;
export type PeriodName = (typeof PERIODS)[number];

/** What a board ranks by; each kind has two (datasets three). */
export const METRICS = {
  farmers: ["earnings", "quality"],
  ambassadors: ["commissions", "referrals"],
  factories: ["demonstrations", "funds"],
  arena: ["nodes", "validators"],
  // Dataset tokens by CLONES traded or market cap, and their creators by volume fees earned (always CLONES).
  datasets: ["volume", "marketcap", "creator_fees"],
} as const satisfies Record<BoardKind, readonly string[]>;
export type Metric = (typeof METRICS)[BoardKind][number];

/** Metrics counted in money, which need a token. */
export const MONEY_METRICS: ReadonlySet<Metric> = new Set<Metric>([
  "earnings",
  "commissions",
  "funds",
  "nodes",
  "validators",
]);

export interface BoardRow {
  rank: number;
  /** The ranked subject: a user id or a factory id, as text. */
  id: string;
  name: string;
  /** The value as shown, e.g. "1,250.5 USDC" or "0.87". */
  value: string;
  /** A second figure, e.g. "12 demonstrations". */
  detail?: string;
  /** The member who asked. */
  isViewer: boolean;
}

export interface Board {
  kind: BoardKind;
  metric: Metric;
  period: PeriodName;
  token?: string;
  title: string;
  /** "This week (from 2026-11-23 00:00 UTC) · USDC" */
  subtitle: string;
  /** The top of the board. */
  rows: BoardRow[];
  /** The viewer's own row when it is not among `rows`. */
  viewer?: BoardRow;
  /** Why the viewer has no row (nothing recorded, below the minimum count...). */
  viewerNote?: string;
  /** How many are ranked in all. */
  ranked: number;
  /** For quality: how many graded demonstrations qualify a farmer. */
  minimumCount?: number;
  /** Set when the data this board needs is not recorded by this installation yet. */
  unavailable?: string;
}
