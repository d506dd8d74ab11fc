// Referral codes and attribution (docs/economy.md section 6). Every member has one random code, made
// the first time it is asked for. A member claims a referrer once and for good, and the claim is
// refused (each time saying why) for their own code, a code of someone sharing a wallet with them,
// a referrer who is below them in the referral tree (a cycle), after they first funded a pool or
// submitted a demonstration, and beyond the referrer's daily cap of new referrals.
//
// Attribution takes one transaction-scoped advisory lock: claims are rare, and serializing them
// is what keeps the cycle and daily-cap checks true under concurrent claims.
import { randomBytes } from "node:crypto";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import { formatDay } from "#src/core/time-format.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { lockAsClaimant } from "#src/economy/ambassadors/participation-lock.ts";

/**
 * Ledger codes that mark a member's first funding or submission: after one of these touched their
 * accounts, or named them as creator or farmer in its meta (a reservation moves pool money, not
 * the farmer's), they can no longer be referred. Pools use these codes; ambassadors read only the
 * ledger, so they depend on no pool table.
 */
export const PARTICIPATION_CODES = ["pool.fund", "pool.reserve"] as const;

/** Crockford's base32: no I, L, O, U, so a code read aloud or retyped survives. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** 12 characters, 60 random bits: unguessable, short enough to type. */
export const CODE_LENGTH = 12;
const CODE_PATTERN = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

/** An arbitrary constant naming the attribution lock (pg_advisory_xact_lock). */
const ATTRIBUTION_LOCK = 5_060_501;

export function newReferralCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = "";
  for (const byte of bytes) code += ALPHABET[byte & 31];
  return code;
}

/** A code as typed or linked: `ref_` prefix, case, dashes and look-alike letters forgiven. */
export function normalizeReferralCode(raw: string): string {
  const code = raw
    .trim()
    .replace(/^ref_/i, "")
    .replace(/[\s-]/g, "")
    .toUpperCase()
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (!CODE_PATTERN.test(code)) {
    throw new UserError(
      "invalid_referral_code",
      `"${raw.trim()}" is not a referral code: a code is ${CODE_LENGTH} letters and digits, like 7K2QX9M4TB8R. Copy it from your ambassador's message.`,
    );
  }
  return code;
}

export interface ReferralOptions {
  /** New referrals per ambassador per UTC day. */
  dailyCap: number;
}

export interface ReferralRecord {
  referredUserId: number;
  referrerUserId: number;
  code: string;
  platform: string;
  createdAt: Date;
}

export interface UseResult {
  referrerUserId: number;
  referrerName: string;
  createdAt: Date;
}

const startOfUtcDay = (date: Date) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));

export class Referrals {
  constructor(
    private readonly db: Database,
    private readonly options: ReferralOptions,
  ) {}

  /** The member's code, made (once, whoever asks first) when it does not exist yet. */
  async codeOf(userId: number): Promise<string> {
    const existing = await this.db.prisma.referralCode.findUnique({ where: { userId } });
    if (existing) return existing.code;
    return this.db.transaction(async (tx) => {
      for (;;) {
        // ON CONFLICT DO NOTHING covers both races: another request making this member's code
        // (then we read theirs) and, once in 2^60, a code already taken (then we draw again).
        const inserted = await tx.db.$executeRaw`
          INSERT INTO referral_codes (user_id, code, created_at) VALUES (${userId}, ${newReferralCode()}, ${tx.now})
          ON CONFLICT DO NOTHING`;
        const row = await tx.db.referralCode.findUnique({ where: { userId } });
        if (row) return row.code;
        if (inserted === 0) continue;
      }
    });
  }

  /** Who referred `userId`, if anyone. */
  async referrerOf(db: TxClient, userId: number): Promise<ReferralRecord | undefined> {
    return (await db.referral.findUnique({ where: { referredUserId: userId } })) ?? undefined;
  }

  /** Records that `actor` was referred by the owner of `rawCode`, or refuses saying why. */
  async use(request: { actor: Actor; key: string; code: string; now: Date }): Promise<UseResult> {
    const { actor, key, now } = request;
    const code = normalizeReferralCode(request.code);
    const { result } = await this.db.transaction((tx) =>
      runOnce(tx, { scope: "referral.use", key, input: { userId: actor.userId, code } }, async () => {
        await tx.db.$executeRaw`SELECT pg_advisory_xact_lock(${ATTRIBUTION_LOCK})`;
        await lockAsClaimant(tx, actor.userId);
        const referrer = await this.ownerOfCode(tx.db, code);
        if (referrer === undefined) {
          throw new UserError(
            "unknown_referral_code",
            `No one has the referral code ${code}. Check it with the person who gave it to you.`,
          );
        }
        const referrerName = await this.nameOf(tx.db, referrer);
        if (referrer === actor.userId) {
          throw new UserError(
            "self_referral",
            "That is your own referral code: share it with others, it cannot refer you.",
          );
        }
        const existing = await this.referrerOf(tx.db, actor.userId);
        if (existing) {
          const by = await this.nameOf(tx.db, existing.referrerUserId);
          throw new UserError(
            "already_referred",
            `You were already referred by ${by} on ${formatDay(existing.createdAt)}; a referral is recorded once and cannot be changed.`,
          );
        }
        const shared = await this.sharedWallet(tx.db, actor.userId, referrer);
        if (shared) {
          throw new UserError(
            "same_wallet",
            `You and ${referrerName} have used the same wallet (${shared}): a referral cannot point to oneself.`,
          );
        }
        if (await this.isAncestor(tx.db, actor.userId, referrer)) {
          throw new UserError(
            "referral_cycle",
            `${referrerName} was referred (directly or through others) by you, so you cannot be referred by them: referrals cannot go round in a circle.`,
          );
        }
        if (await this.hasParticipated(tx.db, actor.userId)) {
          throw new UserError(
            "referral_too_late",
            "A referral must be claimed before your first pool funding or submission, and you have already made one.",
          );
        }
        const today = await tx.db.referral.count({
          where: { referrerUserId: referrer, createdAt: { gte: startOfUtcDay(now) } },
        });
        if (today >= this.options.dailyCap) {
          throw new UserError(
            "referral_cap",
            `${referrerName} has reached today's limit of ${this.options.dailyCap} new referrals. Try the code again tomorrow (the day turns at 00:00 UTC).`,
          );
        }
        await tx.db.referral.create({
          data: {
            referredUserId: actor.userId,
            referrerUserId: referrer,
            code,
            platform: actor.platform,
            createdAt: now,
          },
        });
        return { referrerUserId: referrer, referrerName, createdAt: now };
      }),
    );
    return result;
  }

  /** The member a code belongs to, following /link merges to the account in use. */
  private async ownerOfCode(db: TxClient, code: string): Promise<number | undefined> {
    const row = await db.referralCode.findUnique({ where: { code } });
    if (!row) return undefined;
    let userId = row.userId;
    for (let hops = 0; hops < 10; hops++) {
      const user = await db.user.findUnique({ where: { id: userId }, select: { mergedIntoId: true } });
      if (!user?.mergedIntoId) break;
      userId = user.mergedIntoId;
    }
    return userId;
  }

  private async nameOf(db: TxClient, userId: number): Promise<string> {
    const user = await db.user.findUnique({ where: { id: userId }, select: { displayName: true } });
    return user?.displayName ?? `member #${userId}`;
  }

  /**
   * A wallet both members have used: linked now, proven by a signed link message, or paid a deposit
   * from. A wallet links to one member at a time, so "the same linked wallet" has to look back.
   */
  private async sharedWallet(db: TxClient, a: number, b: number): Promise<string | undefined> {
    const rows = await db.$queryRaw<Array<{ address: string }>>`
      WITH used AS (
        SELECT user_id, address FROM wallets WHERE user_id IN (${a}, ${b})
        UNION SELECT user_id, address FROM wallet_challenges WHERE used_at IS NOT NULL AND user_id IN (${a}, ${b})
        UNION SELECT user_id, sender FROM deposits WHERE sender IS NOT NULL AND user_id IN (${a}, ${b}))
      SELECT address FROM used GROUP BY address HAVING COUNT(DISTINCT user_id) = 2 LIMIT 1`;
    return rows[0]?.address;
  }

  /** Whether `ancestor` is up the referral chain of `userId` (its referrer, their referrer...). */
  private async isAncestor(db: TxClient, ancestor: number, userId: number): Promise<boolean> {
    const rows = await db.$queryRaw<Array<{ found: number }>>`
      WITH RECURSIVE chain(user_id) AS (
        SELECT referrer_user_id FROM referrals WHERE referred_user_id = ${userId}
        UNION
        SELECT r.referrer_user_id FROM referrals r JOIN chain c ON r.referred_user_id = c.user_id)
      SELECT 1 AS found FROM chain WHERE user_id = ${ancestor} LIMIT 1`;
    return rows.length > 0;
  }

  /** Whether the member has funded a pool or submitted (see PARTICIPATION_CODES). */
  async hasParticipated(db: TxClient, userId: number): Promise<boolean> {
    const rows = await db.$queryRawUnsafe<Array<{ found: number }>>(
      `SELECT 1 AS found FROM transfers t
       WHERE t.code = ANY($1::text[])
         AND (t.meta->>'farmerUserId' = $2 OR t.meta->>'creatorUserId' = $2
              OR EXISTS (SELECT 1 FROM accounts a WHERE a.owner_type = 'user' AND a.owner_id = $2
                         AND a.id IN (t.debit_account_id, t.credit_account_id)))
       LIMIT 1`,
      [...PARTICIPATION_CODES],
      String(userId),
    );
    return rows.length > 0;
  }

  /**
   * /link: the members either account referred are the survivor's referrals. The survivor keeps
   * one referrer (docs/economy.md section 6): its own referral if it has one, else the merged-away
   * account's, skipping any that would now point to itself or close a cycle (A referred B, and
   * A's and B's accounts are one person; or the referrer sits below the survivor in the chain).
   * A dropped referral earns nothing from then on; commissions already paid stay paid. Dropping
   * rather than refusing: the referrals can never change, so a refusal would forbid that person
   * to ever join their accounts, and the cycle exists only because the two were one person.
   */
  async merge(tx: Tx, from: number, into: number): Promise<void> {
    await tx.db.referral.updateMany({ where: { referrerUserId: from }, data: { referrerUserId: into } });
    const own = await tx.db.referral.findMany({ where: { referredUserId: { in: [into, from] } } });
    await tx.db.referral.deleteMany({ where: { referredUserId: { in: [into, from] } } });
    // Deterministic: the survivor's referral first, then the merged-away account's.
    own.sort((a, b) => Number(b.referredUserId === into) - Number(a.referredUserId === into));
    for (const referral of own) {
      const referrer = referral.referrerUserId;
      if (referrer === into || referrer === from) continue;
      // With both accounts' referrals removed, the graph has no cycle; this one would close one
      // exactly when the survivor is up the referrer's chain.
      if (await this.isAncestor(tx.db, into, referrer)) continue;
      await tx.db.referral.create({ data: { ...referral, referredUserId: into } });
      return;
    }
  }
}
