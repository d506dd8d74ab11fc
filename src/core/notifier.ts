// Messages that are not the answer to a command: a grade arriving later, a scheduled leaderboard,
// an epoch report. Each front end registers how it delivers to its platform; the notifier sends a
// user's message to every platform they are on (or the first that works) and channel posts to the
// platform the channel belongs to.
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
  /** Sends `message` privately to the platform account `platformUserId`. */
  sendToUser(platformUserId: string, message: Reply): Promise<void>;
  /** Posts `message` in a channel or chat of this platform. */
  postToChannel(channelId: string, message: Reply, options?: PostOptions): Promise<void>;
}

export interface UserDirectory {
  platformAccountsOf(userId: number): Promise<Array<{ platform: Platform; platformUserId: string }>>;
}

export class Notifier {
  readonly #senders = new Map<Platform, PlatformSender>();

  constructor(
    private readonly users: UserDirectory,
    private readonly log: Logger,
  ) {}

  register(sender: PlatformSender): void {
    this.#senders.set(sender.platform, sender);
  }

  get platforms(): Platform[] {
    return [...this.#senders.keys()];
  }

  /** Tells a user something on the first of their platforms that delivers. Never throws. */
  async notifyUser(userId: number, message: Reply): Promise<boolean> {
    const accounts = await this.users.platformAccountsOf(userId);
    for (const account of accounts) {
      const sender = this.#senders.get(account.platform);
      if (!sender) continue;
      try {
        await sender.sendToUser(account.platformUserId, { ...redactReplyUrls(message), personal: true });
        return true;
      } catch (error) {
        this.log.warn({ err: error, userId, platform: account.platform }, "could not notify user");
      }
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
