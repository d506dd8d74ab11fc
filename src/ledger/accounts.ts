// Who holds what: an account is (owner type, owner id, token, purpose). These builders are the only
// place account keys are spelled out, so every feature names the same account the same way.

export interface AccountKey {
  readonly ownerType: string;
  readonly ownerId: string;
  readonly token: string;
  readonly purpose: string;
  /** Only accounts that stand for the outside world may go negative (see allowNegative below). */
  readonly allowNegative?: boolean;
}

/** An account named by key, or by its id when already known. */
export type AccountRef = AccountKey | number;

export const accountKeyString = (key: AccountKey): string =>
  `${key.ownerType}:${key.ownerId}:${key.token}:${key.purpose}`;

export const accounts = {
  /** A user's spendable balance. */
  user: (userId: number, token: string): AccountKey => ({
    ownerType: "user",
    ownerId: String(userId),
    token,
    purpose: "main",
  }),
  /** A user's balance held for another purpose (e.g. stake, cooldown). */
  userPurpose: (userId: number, token: string, purpose: string): AccountKey => ({
    ownerType: "user",
    ownerId: String(userId),
    token,
    purpose,
  }),
  /** A factory's pool: what its creator funded, from which rewards are reserved. */
  pool: (poolId: number | string, token: string): AccountKey => ({
    ownerType: "pool",
    ownerId: String(poolId),
    token,
    purpose: "pool",
  }),
  /** Money outside the bot: deposits come from it, withdrawals and admin debits go to it. */
  world: (token: string): AccountKey => ({
    ownerType: "system",
    ownerId: "world",
    token,
    purpose: "world",
    allowNegative: true,
  }),
  /** The platform's fee revenue. */
  fees: (token: string): AccountKey => ({ ownerType: "system", ownerId: "fees", token, purpose: "fees" }),
  /** Where reserved money waits between a reservation and its settlement. */
  escrow: (token: string): AccountKey => ({
    ownerType: "system",
    ownerId: "escrow",
    token,
    purpose: "escrow",
  }),
  /** Burned tokens: taken out of circulation for good. */
  burn: (token: string): AccountKey => ({ ownerType: "system", ownerId: "burn", token, purpose: "burn" }),
  /** The source of scheduled emissions (arena rewards): new money, so it may go negative. */
  emission: (token: string): AccountKey => ({
    ownerType: "system",
    ownerId: "emission",
    token,
    purpose: "emission",
    allowNegative: true,
  }),
  /** Any other system account (clearing, per-feature holding accounts). */
  system: (name: string, token: string, allowNegative = false): AccountKey => ({
    ownerType: "system",
    ownerId: name,
    token,
    purpose: name,
    allowNegative,
  }),
} as const;
