// What a handler returns: platform-neutral, rendered as an embed on Discord, a message on Telegram
// and text (or JSON) on the console. Keep `text` readable on its own: it is the fallback everywhere.

export type Tone = "info" | "success" | "warning" | "error";

export interface ReplyField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface Button {
  /** Opaque, at most 64 bytes (Telegram's callback data limit). */
  id: string;
  label: string;
  style?: "primary" | "secondary" | "success" | "danger";
}

export interface ReplyImage {
  png: Uint8Array;
  /** File name, e.g. leaderboard.png. */
  name: string;
  /** What the picture shows, for screen readers and when images are off. */
  alt: string;
}

/** A file sent with the reply (a dataset package small enough for the platform). */
export interface ReplyFile {
  data: Uint8Array;
  name: string;
  /** What the file is, for screen readers and where files are not shown. */
  description: string;
}

/**
 * The largest file a reply may carry, by platform: Discord's upload limit for a bot in a server
 * without boosts, and the Bot API's sendDocument limit. The console writes files itself.
 */
export const ATTACHMENT_LIMIT_BYTES = {
  discord: 10 * 1024 * 1024,
  telegram: 50 * 1000 * 1000,
  console: 0,
} as const;

export interface Reply {
  title?: string;
  /**
   * The message itself. Light markup only: **bold** and `code` (src/core/markup.ts); put what a
   * member typed in through `literal()` so its markers stay characters. Titles and field names are plain.
   */
  text: string;
  fields?: ReplyField[];
  /** Structured result for machine readers (the console's --json): JSON-safe, amounts as decimal strings. */
  data?: unknown;
  image?: ReplyImage;
  file?: ReplyFile;
  buttons?: Button[];
  /** Personal data: ephemeral on Discord, a private chat on Telegram. */
  personal?: boolean;
  tone?: Tone;
  /** For paged lists: the dispatcher adds Previous/Next buttons. */
  page?: { current: number; total: number };
}

export const reply = (text: string, extra: Omit<Reply, "text"> = {}): Reply => ({ text, ...extra });

/** A bullet list line per item, or `empty` when there are none. */
export function lines(items: string[], empty: string): string {
  return items.length === 0 ? empty : items.map((item) => `• ${item}`).join("\n");
}
