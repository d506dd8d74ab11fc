// Boards, profiles and pools as platform-neutral replies: always a complete text (the fallback when
// images are off, and the caption), plus the card when images are on.

import { literal } from "#src/core/markup.ts";
import type { Reply } from "#src/core/reply.ts";
import type { PoolSummary, ProfileSummary } from "./summaries.ts";
import type { Board, BoardRow } from "./types.ts";
import { xpWords } from "./xp-words.ts";

// The cards (and the canvas library under them, tens of MB) are imported on the first card drawn,
// not at start: a bot with images off never loads them, and start-up does not wait for them.

function rowLine(row: BoardRow): string {
  const detail = row.detail ? ` (${row.detail})` : "";
  const you = row.isViewer ? " ← you" : "";
  return `#${row.rank} ${literal(row.name)} — ${row.value}${detail}${you}`;
}

export function boardText(board: Board): string {
  const lines = [board.subtitle];
  if (board.rows.length === 0) lines.push(board.unavailable ?? "No one is ranked yet for this period.");
  else lines.push(...board.rows.map(rowLine));
  if (board.viewer) lines.push("…", `Your rank: ${rowLine(board.viewer)}`);
  else if (board.viewerNote) lines.push(board.viewerNote);
  if (board.minimumCount !== undefined)
    lines.push(`Ranked: farmers with at least ${board.minimumCount} graded demonstrations in the period.`);
  return lines.join("\n");
}

export function boardData(board: Board) {
  return {
    kind: board.kind,
    metric: board.metric,
    period: board.period,
    token: board.token ?? null,
    ranked: board.ranked,
    rows: board.rows,
    viewer: board.viewer ?? null,
    ...(board.viewerNote ? { viewerNote: board.viewerNote } : {}),
    ...(board.unavailable ? { unavailable: board.unavailable } : {}),
  };
}

export async function boardReply(board: Board, images: boolean): Promise<Reply> {
  return {
    title: board.title,
    text: boardText(board),
    data: boardData(board),
    ...(images
      ? {
          image: {
            png: (await (await import("./cards/leaderboard-card.ts")).renderLeaderboardCard(board)).png,
            name: "leaderboard.png",
            alt: `${board.title}, ${board.subtitle}`,
          },
        }
      : {}),
  };
}

export async function profileReply(profile: ProfileSummary, images: boolean): Promise<Reply> {
  const { view } = profile;
  const lines = [
    view.standing ?? "Not ranked yet.",
    `Reputation: ${view.reputation === undefined ? "not recorded yet" : `${Math.round(view.reputation)} / 100`}`,
    view.xp ? `Level ${view.xp.level}, ${xpWords(view.xp)}` : "XP: not recorded yet",
    profile.tierBar ?? "Tier: not recorded yet",
    `Earnings: ${view.earnings.length > 0 ? view.earnings.join(", ") : "nothing yet"}`,
  ];
  return {
    title: `Profile: ${view.name}`,
    text: lines.join("\n"),
    data: profile.data,
    ...(images
      ? {
          image: {
            png: (await (await import("./cards/profile-card.ts")).renderProfileCard(view)).png,
            name: "profile.png",
            alt: `Profile of ${view.name}`,
          },
        }
      : {}),
  };
}

export async function poolReply(pool: PoolSummary, images: boolean): Promise<Reply> {
  const { view } = pool;
  const lines = [
    pool.fundsBar,
    `Funds left: ${view.available}`,
    `Reserved for submissions being graded: ${view.reserved}`,
    `Paid to farmers: ${view.paid}`,
    view.latestBid
      ? `Latest bid: ${view.latestBid} (${view.bids.length} in the history)`
      : "No bids recorded.",
  ];
  return {
    title: `Pool: ${view.name} (${view.token})`,
    text: lines.join("\n"),
    data: pool.data,
    ...(images
      ? {
          image: {
            png: (await (await import("./cards/pool-card.ts")).renderPoolCard(view)).png,
            name: "pool.png",
            alt: `Pool of ${view.name} in ${view.token}`,
          },
        }
      : {}),
  };
}
