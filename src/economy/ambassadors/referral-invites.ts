// Attribution without typing on Discord (docs/economy.md section 6): /referral link gives an
// ambassador a personal server invite the bot creates, and a member who joins through it is
// referred by them automatically, under every rule /referral use keeps (once, not oneself, no
// cycle, before the first funding or submission, the daily cap).
//
// Which invite a member joined through is the invite trackers' technique: Discord says who joined,
// not how, so on each join the bot lists the server's invites and compares their use counts with
// the ones it stored; the one personal invite whose count went up is the way in. Two of them going
// up at once (two joins racing) cannot be told apart, so then nobody is attributed: a wrong
// attribution could never be undone, a missing one the member can still make with /referral use.
import type { Actor, PlatformUser } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import type { Database } from "#src/db/database.ts";
import type { Referrals } from "#src/economy/ambassadors/referrals.ts";
import type { Logger } from "#src/log.ts";

/** What the platform does for the tracker (the Discord front end registers its REST calls). */
export interface InviteGateway {
  /** The server a channel belongs to; undefined for a direct message. */
  guildOf(channelId: string): Promise<string | undefined>;
  /** Creates a never-expiring invite to the server of `channelId`. */
  createInvite(channelId: string, reason: string): Promise<{ code: string; guildId: string }>;
  /** Every invite of the server with its use count (needs Manage Server). */
  listInvites(guildId: string): Promise<Array<{ code: string; uses: number }>>;
}

export interface PersonalInvite {
  code: string;
  url: string;
  guildId: string;
}

export type JoinOutcome =
  | { kind: "attributed"; referrerUserId: number; inviteCode: string }
  | { kind: "refused"; inviteCode: string; reason: string; code: string }
  | { kind: "not_ours" }
  | { kind: "ambiguous"; inviteCodes: string[] };

export interface ReferralInviteDeps {
  db: Database;
  referrals: Referrals;
  ensureUser(user: PlatformUser): Promise<{ userId: number; displayName: string }>;
  now(): Date;
  log: Logger;
}

export class ReferralInvites {
  #gateway: InviteGateway | undefined;
  /** One join at a time per server: each compares counts against what the previous one stored. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ReferralInviteDeps) {}

  /** The Discord front end, when invite tracking is on (DISCORD_INVITE_TRACKING). */
  register(gateway: InviteGateway): void {
    this.#gateway = gateway;
  }

  get available(): boolean {
    return this.#gateway !== undefined;
  }

  /** The ambassador's invite to the server of `channelId`: the one made before, or a new one. */
  async personalInvite(actor: Actor, channelId: string): Promise<PersonalInvite> {
    const gateway = this.#gateway;
    if (!gateway)
      throw new UserError(
        "invites_off",
        "Personal invites are off here: a moderator turns them on with DISCORD_INVITE_TRACKING (docs/platforms.md).",
      );
    const guildId = await gateway.guildOf(channelId);
    if (!guildId)
      throw new UserError(
        "not_in_a_server",
        "A personal invite is to a server: run /referral link in one of its channels, not in a direct message.",
      );
    const key = { ambassadorUserId_guildId: { ambassadorUserId: actor.userId, guildId } };
    const existing = await this.deps.db.prisma.referralInvite.findUnique({ where: key });
    if (existing) return { code: existing.code, url: inviteUrl(existing.code), guildId };
    const made = await gateway.createInvite(channelId, `Personal referral invite of member #${actor.userId}`);
    // Two /referral link at once both make an invite; the first stored is the ambassador's.
    await this.deps.db.prisma.referralInvite.createMany({
      data: [
        { code: made.code, ambassadorUserId: actor.userId, guildId, uses: 0, createdAt: this.deps.now() },
      ],
      skipDuplicates: true,
    });
    const row = await this.deps.db.prisma.referralInvite.findUniqueOrThrow({ where: key });
    return { code: row.code, url: inviteUrl(row.code), guildId: row.guildId };
  }

  /** Resolves once every join received so far has been compared (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
  }

  /** A member joined `guildId`: attributes them to the ambassador whose invite they used, if one. */
  memberJoined(guildId: string, member: PlatformUser): Promise<JoinOutcome> {
    const previous = this.#queues.get(guildId) ?? Promise.resolve();
    const run = previous.then(
      () => this.compare(guildId, member),
      () => this.compare(guildId, member),
    );
    this.#queues.set(
      guildId,
      run.catch(() => undefined),
    );
    return run;
  }

  private async compare(guildId: string, member: PlatformUser): Promise<JoinOutcome> {
    const gateway = this.#gateway;
    const { db } = this.deps;
    const stored = await db.prisma.referralInvite.findMany({ where: { guildId } });
    if (!gateway || stored.length === 0) return { kind: "not_ours" };
    const live = new Map((await gateway.listInvites(guildId)).map((i) => [i.code, i.uses]));
    const raised = stored.filter((row) => (live.get(row.code) ?? row.uses) > row.uses);
    for (const row of stored) {
      const uses = live.get(row.code);
      if (uses !== undefined && uses !== row.uses)
        await db.prisma.referralInvite.update({ where: { code: row.code }, data: { uses } });
    }
    if (raised.length === 0) return { kind: "not_ours" };
    if (raised.length > 1) {
      this.deps.log.info(
        { guildId, invites: raised.map((r) => r.code) },
        "join through one of several invites",
      );
      return { kind: "ambiguous", inviteCodes: raised.map((r) => r.code) };
    }
    const invite = raised[0]!;
    const user = await this.deps.ensureUser(member);
    const actor: Actor = {
      userId: user.userId,
      displayName: user.displayName,
      isModerator: false,
      platform: member.platform,
      platformUserId: member.id,
    };
    // The referral code follows /link merges to the account in use (Referrals.ownerOfCode).
    const code = await this.deps.referrals.codeOf(invite.ambassadorUserId);
    try {
      const done = await this.deps.referrals.use({
        actor,
        key: `discord-join:${guildId}:${member.id}:${invite.code}:${live.get(invite.code)}`,
        code,
        now: this.deps.now(),
      });
      return { kind: "attributed", referrerUserId: done.referrerUserId, inviteCode: invite.code };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return { kind: "refused", inviteCode: invite.code, reason: error.message, code: error.code };
    }
  }
}

export const inviteUrl = (code: string) => `https://discord.gg/${code}`;
