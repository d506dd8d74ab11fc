// Which tokens live on Solana, and how: SOL itself (lamports) or an SPL mint.
import { PublicKey } from "@solana/web3.js";
import type { TokenInfo } from "#src/ledger/amount.ts";

/** SOL without a mint is the chain's own coin, held as lamports rather than in a token account. */
export const isNativeSol = (token: TokenInfo): boolean => token.symbol === "SOL" && !token.mint;

export type OnChainAsset = { kind: "native" } | { kind: "spl"; mint: PublicKey };

/** How `token` moves on chain, or undefined when it has no Solana mint (it stays off chain). */
export function onChainAsset(token: TokenInfo): OnChainAsset | undefined {
  if (isNativeSol(token)) return { kind: "native" };
  return token.mint ? { kind: "spl", mint: new PublicKey(token.mint) } : undefined;
}
