// What the boards and cards need that only other features record in their own tables (average
// quality, active referrals, factory names and bids, reputation, XP, tiers). Each feature implements
// its part when it lands (pools, ambassadors, grading/reputation); until then `noProviders` says
// "not recorded yet" and every money figure still comes from the ledger.
import type { TxClient } from "#src/db/database.ts";
import type { Window } from "./periods.ts";

export interface FarmerQuality {
  userId: number;
  /** Graded demonstrations in the window. */
  count: number;
  /** Average quality 0..1 as an exact decimal string, e.g. "0.8725". */
  averageQuality: string;
}

export interface QualitySource {
  farmerQuality(db: TxClient, window: Window): Promise<FarmerQuality[]>;
}

export interface ReferralSource {
  /** Per ambassador, referrals that were active (funded or submitted) in the window. */
  activeReferrals(db: TxClient, window: Window): Promise<Array<{ userId: number; count: number }>>;
}

export interface FactorySource {
  factoryNames(db: TxClient, factoryIds: string[]): Promise<Map<string, string>>;
  /** The factories these users created, as ids. */
  factoriesOf?(db: TxClient, userIds: number[]): Promise<string[]>;
  /** A factory's bids (price per demonstration, atoms of its token), oldest first. */
  bidHistory(
    db: TxClient,
    factoryId: string,
    token: string,
  ): Promise<Array<{ at: Date; priceAtoms: bigint }>>;
  /** The ledger account holding the factory's pool in `token`, when it is not `accounts.pool(factoryId)`. */
  poolOwnerId?(db: TxClient, factoryId: string, token: string): Promise<string | undefined>;
}

export interface MemberStanding {
  /** 0-100. */
  reputation?: number;
  xp?: { total: number; level: number; intoLevel: number; levelSize: number };
  /** Staking tier (0 for none) and the stake toward the next, in atoms of the staking token. */
  tier?: { tier: number; stakedAtoms: bigint; thisTierAtoms: bigint; nextTierAtoms?: bigint; token: string };
}

export interface ProfileSource {
  standing(db: TxClient, userId: number, now: Date): Promise<MemberStanding>;
}

export interface DatasetTokenSource {
  /** CLONES atoms traded per token symbol in the window (buys: paid; sells: out of the curve). */
  volume(
    db: TxClient,
    window: Window,
  ): Promise<Array<{ symbol: string; amountAtoms: bigint; trades: number }>>;
  /** Every token's market cap now, in CLONES atoms. */
  marketCaps(db: TxClient): Promise<Array<{ symbol: string; amountAtoms: bigint }>>;
  /** What each symbol is, e.g. "WEBNAV (factory #3)". */
  names(db: TxClient, symbols: string[]): Promise<Map<string, string>>;
  /** The symbols of the tokens of factories these users created. */
  tokensOf(db: TxClient, userIds: number[]): Promise<string[]>;
}

export interface LeaderboardProviders {
  datasets?: DatasetTokenSource;
  quality?: QualitySource;
  referrals?: ReferralSource;
  factories?: FactorySource;
  profiles?: ProfileSource;
}

export const noProviders: LeaderboardProviders = {};
