// The leaderboard as a picture: title, period, the top rows, and the viewer's own row underneath
// when they are outside the top. The picture is as tall as its rows: two rows make a short card.

import { formatCount } from "#src/core/counts.ts";
import type { Board, BoardRow } from "../types.ts";
import { COLORS, Painter, type RenderedCard } from "./painter.ts";

/** `height` is the tallest card: ten rows and the viewer's row under them. */
export const LEADERBOARD_CARD = { width: 800, height: 720, maxRows: 10 } as const;

const ROW_TOP = 130;
const ROW_HEIGHT = 50;
const PAD = 32;

/** Where the footer (the viewer's row or note) starts, and the card's height, for these rows. */
export function leaderboardLayout(board: Board): { footerY: number; height: number } {
  // An empty board still has one row's room, for the sentence saying why.
  const rows = Math.max(1, Math.min(board.rows.length, LEADERBOARD_CARD.maxRows));
  const footerY = ROW_TOP + rows * ROW_HEIGHT + 14;
  if (board.viewer) return { footerY, height: footerY + 20 + ROW_HEIGHT + 6 };
  if (board.viewerNote) return { footerY, height: footerY + 70 };
  return { footerY, height: footerY + 10 };
}

export async function renderLeaderboardCard(board: Board): Promise<RenderedCard> {
  const { width, maxRows } = LEADERBOARD_CARD;
  const { footerY, height } = leaderboardLayout(board);
  const p = new Painter(width, height);
  p.rect(0, 0, width, 6, COLORS.accent);
  p.text(board.title, PAD, 48, width - 2 * PAD, { size: 32, bold: true });
  p.text(`${formatCount(board.ranked)} ranked`, width - PAD, 92, 140, {
    size: 16,
    color: COLORS.muted,
    align: "right",
  });
  p.text(board.subtitle, PAD, 92, width - 2 * PAD - 150, { size: 18, color: COLORS.muted });

  const rows = board.rows.slice(0, maxRows);
  if (rows.length === 0) {
    p.text(board.unavailable ?? "No one is ranked yet.", PAD, ROW_TOP + 40, width - 2 * PAD, {
      size: 22,
      color: COLORS.muted,
    });
  }
  rows.forEach((row, i) => {
    drawRow(p, row, ROW_TOP + i * ROW_HEIGHT);
  });

  if (board.viewer) {
    p.text("Your rank", PAD, footerY + 8, 200, { size: 14, color: COLORS.muted });
    drawRow(p, board.viewer, footerY + 20);
  } else if (board.viewerNote) {
    p.text(board.viewerNote, PAD, footerY + 40, width - 2 * PAD, { size: 16, color: COLORS.muted });
  }
  return p.render();
}

function drawRow(p: Painter, row: BoardRow, top: number): void {
  const { width } = LEADERBOARD_CARD;
  const h = ROW_HEIGHT - 8;
  const mid = top + h / 2;
  p.rect(PAD - 8, top, width - 2 * PAD + 16, h, row.isViewer ? COLORS.highlight : COLORS.panel, 10);
  const medal =
    row.rank === 1 ? COLORS.gold : row.rank === 2 ? COLORS.silver : row.rank === 3 ? COLORS.bronze : "";
  if (medal) p.rect(PAD, top + 7, 56, h - 14, medal, 8);
  p.text(`#${row.rank}`, PAD + 28, mid, 52, {
    size: 18,
    bold: true,
    color: medal ? COLORS.background : COLORS.text,
    align: "center",
  });
  // The value is drawn first and the name gets what space is left beside it.
  const valueWidth = p.text(row.value, width - PAD - 8, mid - (row.detail ? 8 : 0), 260, {
    size: 18,
    bold: true,
    color: COLORS.good,
    align: "right",
  });
  if (row.detail)
    p.text(row.detail, width - PAD - 8, mid + 12, 260, { size: 12, color: COLORS.muted, align: "right" });
  const nameX = PAD + 72;
  p.text(row.name, nameX, mid, width - PAD - 8 - Math.max(valueWidth, 120) - 16 - nameX, { size: 20 });
}
