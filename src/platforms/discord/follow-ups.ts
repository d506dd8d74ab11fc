// The latest interaction of each Discord member, kept so that a notice meant for them (a grade
// arriving later, a moderator's credit) can be sent as a follow-up on it: an interaction's token
// lets the application post follow-ups for 15 minutes, with no bot token, so this works for a bot
// that only serves the HTTP interactions endpoint, and it reaches a member whose DMs are closed.
// The tokens stay in this process's memory (they are credentials, never written anywhere): a
// notice handled by another replica, or after a restart, goes by DM or into /scores instead.
// https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
import type { Clock } from "#src/core/clock.ts";

/** Discord's 15 minutes, less a margin for the request on its way. */
export const FOLLOW_UP_WINDOW_MS = 14 * 60 * 1000;

export interface FollowUpRoute {
  applicationId: string;
  token: string;
  /** When the interaction arrived (the bot's clock). */
  receivedAt: Date;
  /** Resolves once the interaction's own answer is in: a follow-up sent before it would replace it. */
  answered: Promise<void>;
}

export class FollowUpRoutes {
  readonly #latest = new Map<string, FollowUpRoute>();

  constructor(private readonly clock: Clock) {}

  /**
   * Remembers the member's interaction that just arrived; call the returned function once its own
   * answer has been sent.
   */
  remember(discordUserId: string, applicationId: string, token: string): () => void {
    let done!: () => void;
    const answered = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.prune();
    // Re-inserted so the map stays in arrival order, oldest first (prune relies on it).
    this.#latest.delete(discordUserId);
    this.#latest.set(discordUserId, { applicationId, token, receivedAt: this.clock.now(), answered });
    return done;
  }

  /** The member's interaction whose token is still valid, if any. */
  latest(discordUserId: string): FollowUpRoute | undefined {
    const route = this.#latest.get(discordUserId);
    if (!route) return undefined;
    if (this.clock.now().getTime() - route.receivedAt.getTime() >= FOLLOW_UP_WINDOW_MS) {
      this.#latest.delete(discordUserId);
      return undefined;
    }
    return route;
  }

  /** Forgets a route Discord refused (the interaction was deleted, or the token expired early). */
  forget(discordUserId: string, token: string): void {
    if (this.#latest.get(discordUserId)?.token === token) this.#latest.delete(discordUserId);
  }

  /** Drops expired routes (oldest first) so the map holds only the members of the last 14 minutes. */
  private prune(): void {
    const now = this.clock.now().getTime();
    for (const [user, route] of this.#latest) {
      if (now - route.receivedAt.getTime() < FOLLOW_UP_WINDOW_MS) break;
      this.#latest.delete(user);
    }
  }
}
