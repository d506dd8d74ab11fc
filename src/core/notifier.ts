// Messages that are not the answer to a command: a grade arriving later, a moderator's credit, a
// review, a refund, a scheduled leaderboard, an epoch report. Each front end registers how it
// delivers to its platform; the notifier tells a member on the first of their platforms that
// delivers (Discord: a follow-up on their latest interaction while its token is valid, else a DM),
// and keeps what none delivered for /scores, so a notice is never lost silently. Channel posts go
// to the platform the channel belongs to.
import type { Platform } from "#src/config.ts";
import type { Logger } from "#src/log.ts";
import { redactReplyUrls } from "#src/redact.ts";
import type { Reply } from "./reply.ts";
import type { ChannelRef } from "./spec.ts";

export interface PostOptions {
  /**
   * The same key on every attempt at one logical post. A platform that can (Discord: the message
   * nonce with enforce_nonce) drops a repeat sent within its window; the others ignore it.
   */
  dedupKey?: string;
}

export interface PlatformSender {
  platform: Platform;
  /** Sends `message` privately to the platform account `platformUserId`; throws when it cannot. */
  sendToUser(platformUserId: string, message: Reply): Promise<void>;
  /** False when this front end cannot post in channels (Discord without a bot token). */
  readonly postsToChannels?: boolean;
  /** Posts `message` in a channel or chat of this platform. */
  postToChannel(channelId: string, message: Reply, options?: PostOptions): Promise<void>;
}

export interface UserDirectory {
  platformAccountsOf(userId: number): Promise<Array<{ platform: Platform; platformUserId: string }>>;
}

/** Where a notice goes when no platform delivered it (MemberNotices: /scores shows it). */
export interface NoticeInbox {
  keep(userId: number, message: Reply): Promise<void>;
}

export class Notifier {
  readonly #senders = new Map<Platform, PlatformSender>();

  constructor(
    private readonly users: UserDirectory,
    private readonly log: Logger,
    private readonly inbox?: NoticeInbox,
  ) {}

  register(sender: PlatformSender): void {
    this.#senders.set(sender.platform, sender);
  }

  /** The platforms whose channels can be posted in here. */
  get platforms(): Platform[] {
    return [...this.#senders.values()].filter((s) => s.postsToChannels !== false).map((s) => s.platform);
  }

  /**
   * Tells a user something on the first of their platforms that delivers; when none does, keeps it
   * for /scores. True when a platform delivered it. Never throws.
   */
  async notifyUser(userId: number, message: Reply): Promise<boolean> {
    const notice: Reply = { ...redactReplyUrls(message), personal: true };
    try {
      const accounts = await this.users.platformAccountsOf(userId);
      for (const account of accounts) {
        const sender = this.#senders.get(account.platform);
        if (!sender) continue;
        try {
          await sender.sendToUser(account.platformUserId, notice);
          return true;
        } catch (error) {
          this.log.warn({ err: error, userId, platform: account.platform }, "could not notify user");
        }
      }
      if (this.inbox) {
        await this.inbox.keep(userId, notice);
        this.log.info({ userId }, "no platform delivered a notice; kept for /scores");
      } else {
        this.log.warn({ userId }, "no platform delivered a notice, and there is nowhere to keep it");
      }
    } catch (error) {
      this.log.error({ err: error, userId }, "could not deliver nor keep a notice");
    }
    return false;
  }

  /** Posts in a channel. Throws if the channel's platform is not running here. */
  async postToChannel(channel: ChannelRef, message: Reply, options: PostOptions = {}): Promise<void> {
    const sender = this.#senders.get(channel.platform as Platform);
    if (!sender) throw new Error(`no ${channel.platform} front end is running to post in ${channel.id}`);
    // Job results quote errors, which may quote a URL with its key.
    await sender.postToChannel(channel.id, redactReplyUrls(message), options);
  }
}
