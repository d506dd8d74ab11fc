// Reading a token mint on chain: how many decimals it has, so a creator's own token is registered
// with the decimals its mint really uses (docs/economy.md section 2). A wrong number would scale
// every deposit of that token by a power of ten.
import { MINT_SIZE, MintLayout, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";

/** An account as a node returns it: its owning program and its data. */
export interface RawAccount {
  owner: PublicKey;
  data: Uint8Array;
}

export interface MintReader {
  /** The mint's decimals; null when the address holds no initialized SPL Token (or Token-2022) mint. */
  mintDecimals(address: PublicKey): Promise<number | null>;
}

/** The decimals of an initialized mint account, or null when `account` is not one. */
export function mintDecimalsOf(account: RawAccount | null): number | null {
  if (!account) return null;
  const tokenProgram = account.owner.equals(TOKEN_PROGRAM_ID) || account.owner.equals(TOKEN_2022_PROGRAM_ID);
  // Token-2022 mints with extensions are longer; the base layout is the same first MINT_SIZE bytes.
  if (!tokenProgram || account.data.length < MINT_SIZE) return null;
  const mint = MintLayout.decode(Buffer.from(account.data).subarray(0, MINT_SIZE));
  return mint.isInitialized ? mint.decimals : null;
}
