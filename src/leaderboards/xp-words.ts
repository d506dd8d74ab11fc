// XP in words, shared by the profile's text and its card (kept apart from the card so the text
// reply does not load the canvas).
import { formatCount } from "#src/core/counts.ts";

/** "1,450 XP · 550 to level 5" */
export function xpWords(xp: { total: number; level: number; intoLevel: number; levelSize: number }): string {
  const toNext = xp.levelSize - xp.intoLevel;
  return `${formatCount(xp.total)} XP · ${formatCount(toNext)} to level ${xp.level + 1}`;
}
