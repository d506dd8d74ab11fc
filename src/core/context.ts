// What a handler knows about the event it serves.
import type { Platform } from "#src/config.ts";
import type { Logger } from "#src/log.ts";
import type { ChannelRef } from "./spec.ts";

/** Someone as a platform knows them. */
export interface PlatformUser {
  platform: Platform;
  /** The platform's own id, as a string (Discord snowflakes overflow numbers). */
  id: string;
  username?: string;
  displayName: string;
}

export interface Actor {
  userId: number;
  displayName: string;
  isModerator: boolean;
  platform: Platform;
  platformUserId: string;
}

export interface CommandContext<S = unknown> {
  readonly actor: Actor;
  /**
   * The idempotency key of this event (a Discord interaction id, a Telegram update id, a console
   * line; for a confirmed action, the action's id). Pass it to services: a redelivered event then
   * changes nothing and gets the first result back.
   */
  readonly key: string;
  readonly services: S;
  readonly now: Date;
  readonly platform: Platform;
  readonly channel?: ChannelRef;
  /** Whether the command was run in a private chat (DM) rather than a group or channel. */
  readonly isPrivateChat: boolean;
  readonly locale: string;
  /** 1-based page requested through a Previous/Next button. */
  readonly page: number;
  readonly log: Logger;
  /** The command path as invoked, e.g. ["admin", "credit"]. */
  readonly path: readonly string[];
  /**
   * The invoking member's picture, when their platform has one: fetched by the front end on demand
   * (size-capped, time-limited), undefined when there is none or it could not be fetched.
   */
  readonly avatar?: () => Promise<Uint8Array | undefined>;
}
