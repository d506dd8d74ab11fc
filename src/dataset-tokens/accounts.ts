// The ledger accounts and transfer codes of dataset tokens. A curve is an owner of its own
// ("curve", symbol): its tokens (R) and the CLONES it really holds (C - C0) are ordinary ledger
// accounts, so /audit proves them with everything else. The supply is minted once from a mint
// account that may go negative (like `world`): with it counted, each token sums to zero.
import { type AccountKey, accounts } from "#src/ledger/accounts.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";

/** The token every curve is priced in. */
export const CURVE_TOKEN = "CLONES";
/** Every dataset token has 6 decimals (10.2). */
export const DATASET_TOKEN_DECIMALS = 6;
/** S: 1,000,000,000 tokens of 6 decimals. */
export const DATASET_SUPPLY_ATOMS = 1_000_000_000n * 10n ** BigInt(DATASET_TOKEN_DECIMALS);

/** A dataset token as the registry knows it (also when another process launched it). */
export const datasetTokenInfo = (symbol: string): TokenInfo => ({ symbol, decimals: DATASET_TOKEN_DECIMALS });

export const DATASET_CODES = {
  launchFee: "dataset.launch_fee",
  mint: "dataset.mint",
  allocation: "dataset.allocation",
  buy: "dataset.buy",
  sell: "dataset.sell",
  fee: "dataset.volume_fee",
  feeRemainder: "dataset.volume_fee_remainder",
  burn: "dataset.burn",
} as const;

export const datasetAccounts = {
  /** Where the fixed supply comes from, once, at launch. */
  mint: (symbol: string): AccountKey => accounts.system("dataset-mint", symbol, true),
  /** R: the tokens the curve still holds. */
  curveTokens: (symbol: string): AccountKey => ({
    ownerType: "curve",
    ownerId: symbol,
    token: symbol,
    purpose: "curve",
  }),
  /** C - C0: the CLONES the curve really holds (what it can pay sellers). */
  curveClones: (symbol: string): AccountKey => ({
    ownerType: "curve",
    ownerId: symbol,
    token: CURVE_TOKEN,
    purpose: "curve",
  }),
  burn: (symbol: string): AccountKey => accounts.burn(symbol),
  protocolFees: (token: string): AccountKey => accounts.fees(token),
} as const;
