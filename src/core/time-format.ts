// How a moment reads to a member: one formatter for replies, notices and job summaries, so every
// part of the bot writes the same time the same way (UTC, minutes, no seconds).

/** "2026-11-23 10:50 UTC" */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "2026-11-23", the UTC day. */
export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
