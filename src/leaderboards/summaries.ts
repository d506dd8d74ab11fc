// What the profile and pool cards show, gathered from the ledger (earnings, pool balances, payouts)
// and from the providers of the features that record the rest (reputation, XP, tier, bids).

import { formatCount } from "#src/core/counts.ts";
import { UserError } from "#src/core/errors.ts";
import type { Database } from "#src/db/database.ts";
import { MAX_TIER, tierProgress } from "#src/economy/ambassadors/tiers.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { decimalString, formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { PoolView } from "./cards/pool-card.ts";
import type { ProfileView } from "./cards/profile-card.ts";
import type { Leaderboards } from "./leaderboards.ts";
import { LEADERBOARD_CODES, paidByFactory, userEarnings } from "./ledger-metrics.ts";
import { fundsLeftBar, tierProgressBar } from "./progress.ts";

export interface ProfileSummary {
  view: ProfileView;
  /** "Tier 2 → 3 ▓▓▓░░░░░░░ 30%" when tiers are recorded. */
  tierBar?: string;
  data: Record<string, unknown>;
}

export interface PoolSummary {
  view: PoolView;
  fundsBar: string;
  data: Record<string, unknown>;
}

const EARNING_CODES = [
  LEADERBOARD_CODES.farmerPayout,
  ...LEADERBOARD_CODES.commissions,
  LEADERBOARD_CODES.arenaReward,
];

export class Summaries {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    private readonly leaderboards: Leaderboards,
  ) {}

  async profile(userId: number, now: Date): Promise<ProfileSummary> {
    const db = this.db.prisma;
    const user = await db.user.findUnique({ where: { id: userId }, select: { displayName: true } });
    if (!user) throw new UserError("unknown_user", "That member has not used the bot yet.");
    const earnings = await userEarnings(db, userId, EARNING_CODES, new Date(now.getTime() + 1));
    const standing = (await this.leaderboards.providers.profiles?.standing(db, userId, now)) ?? {};
    const board = await this.leaderboards.board({
      kind: "farmers",
      period: "month",
      now,
      viewerUserId: userId,
      limit: 1,
    });
    const own = board.rows.find((r) => r.isViewer) ?? board.viewer;
    const view: ProfileView = {
      name: user.displayName,
      earnings: earnings.map((e) => formatMoney(e.amountAtoms, this.tokens.get(e.token))),
      ...(own
        ? {
            standing: `#${formatCount(own.rank)} of ${formatCount(board.ranked)} farmers this month (${board.token})`,
          }
        : {}),
      ...(standing.reputation !== undefined ? { reputation: standing.reputation } : {}),
      ...(standing.xp ? { xp: standing.xp } : {}),
    };
    let tierBar: string | undefined;
    const tier = standing.tier;
    if (tier) {
      const token = this.tokens.get(tier.token);
      const next = tier.nextTierAtoms;
      // The same measure as /stake status (tierProgress), in thousandths for the card's bar.
      const p = tierProgress({
        countedAtoms: tier.stakedAtoms,
        thisTierAtoms: tier.thisTierAtoms,
        ...(next !== undefined ? { nextTierAtoms: next } : {}),
      });
      const progress = p ? Number((p.partAtoms * 1000n) / p.wholeAtoms) / 1000 : 1;
      view.tier = {
        tier: tier.tier,
        progress: Math.max(0, Math.min(1, progress)),
        ...(next !== undefined && next > tier.stakedAtoms
          ? { next: `${formatMoney(next - tier.stakedAtoms, token)} more` }
          : {}),
      };
      tierBar = tierProgressBar(
        tier.tier,
        MAX_TIER,
        tier.stakedAtoms,
        tier.thisTierAtoms,
        next ?? tier.stakedAtoms,
      );
    }
    return {
      view,
      ...(tierBar ? { tierBar } : {}),
      data: {
        userId,
        name: user.displayName,
        earnings: earnings.map((e) => ({
          token: e.token,
          amount: decimalString(e.amountAtoms, this.tokens.get(e.token)),
        })),
        rank: own ? { rank: own.rank, of: board.ranked, period: "month", token: board.token } : null,
        reputation: standing.reputation ?? null,
        xp: standing.xp ?? null,
        tier: tier?.tier ?? null,
      },
    };
  }

  async pool(factoryId: number, token: TokenInfo, now: Date): Promise<PoolSummary> {
    const db = this.db.prisma;
    const id = String(factoryId);
    const factories = this.leaderboards.providers.factories;
    const owner = (await factories?.poolOwnerId?.(db, id, token.symbol)) ?? id;
    const accountId = await this.ledger.findAccountId(db, accounts.pool(owner, token.symbol));
    const account = accountId
      ? await db.account.findUnique({
          where: { id: accountId },
          select: { balance: true, pendingDebits: true },
        })
      : null;
    const paidAtoms = await paidByFactory(db, id, token.symbol, new Date(now.getTime() + 1));
    const names = (await factories?.factoryNames(db, [id])) ?? new Map<string, string>();
    // A factory never funded has no pool account yet: its card shows an empty pool, not an error.
    const bids = (await factories?.bidHistory(db, id, token.symbol)) ?? [];
    if (!account && paidAtoms === 0n && bids.length === 0)
      throw new UserError(
        "unknown_pool",
        `Factory #${factoryId} has no ${token.symbol} pool. Check the factory's number and token.`,
      );
    const balance = BigInt(account?.balance.toFixed() ?? "0");
    const reservedAtoms = BigInt(account?.pendingDebits.toFixed() ?? "0");
    const availableAtoms = balance - reservedAtoms;
    const total = availableAtoms + reservedAtoms + paidAtoms;
    const share = (part: bigint) => (total > 0n ? Number((part * 10_000n) / total) / 10_000 : 0);
    const scale = 10 ** token.decimals;
    const latest = bids.at(-1);
    const view: PoolView = {
      name: names.get(id) ?? `Factory #${factoryId}`,
      token: token.symbol,
      available: formatMoney(availableAtoms, token),
      reserved: formatMoney(reservedAtoms, token),
      paid: formatMoney(paidAtoms, token),
      shares: { available: share(availableAtoms), reserved: share(reservedAtoms), paid: share(paidAtoms) },
      // Only for drawing the chart's shape; the amounts shown are exact.
      bids: bids.map((b) => ({
        at: b.at,
        price: Number(b.priceAtoms) / scale,
        label: formatMoney(b.priceAtoms, token),
      })),
      ...(latest ? { latestBid: formatMoney(latest.priceAtoms, token) } : {}),
      ...(latest && latest.priceAtoms > 0n
        ? {
            fundedDemonstrations: (availableAtoms > 0n ? availableAtoms : 0n) / latest.priceAtoms,
            towardOne:
              Number(((availableAtoms > 0n ? availableAtoms : 0n) * 1000n) / latest.priceAtoms) / 1000,
          }
        : {}),
    };
    return {
      view,
      fundsBar: fundsLeftBar(availableAtoms, total),
      data: {
        factoryId,
        token: token.symbol,
        available: decimalString(availableAtoms, token),
        reserved: decimalString(reservedAtoms, token),
        paid: decimalString(paidAtoms, token),
        bids: bids.map((b) => ({ at: b.at.toISOString(), price: decimalString(b.priceAtoms, token) })),
      },
    };
  }
}
