// How a token moves on chain, as the withdrawal sender needs it: SOL (lamports) or an SPL mint's key.
import { PublicKey } from "@solana/web3.js";
import type { TokenInfo } from "#src/ledger/amount.ts";
import { isNativeSol } from "./assets.ts";

export type OnChainAsset = { kind: "native" } | { kind: "spl"; mint: PublicKey };

/** How `token` moves on chain, or undefined when it has no Solana mint (it stays off chain). */
export function onChainAsset(token: TokenInfo): OnChainAsset | undefined {
  if (isNativeSol(token)) return { kind: "native" };
  return token.mint ? { kind: "spl", mint: new PublicKey(token.mint) } : undefined;
}
