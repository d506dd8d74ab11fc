// Which tokens live on Solana, and how: SOL itself (lamports) or an SPL mint. No @solana/web3.js
// here (commands and withdrawal requests use this at start-up); on-chain-asset.ts builds the keys.
import type { TokenInfo } from "#src/ledger/amount.ts";
import { isSolanaAddress } from "./address.ts";

/** SOL without a mint is the chain's own coin, held as lamports rather than in a token account. */
export const isNativeSol = (token: TokenInfo): boolean => token.symbol === "SOL" && !token.mint;

/** Whether `token` moves on chain: SOL, or a token with a valid Solana mint. */
export const hasOnChainAsset = (token: TokenInfo): boolean =>
  isNativeSol(token) || (token.mint !== undefined && token.mint !== null && isSolanaAddress(token.mint));
