// A Solana address's text form, checked without @solana/web3.js (about 25 MiB and 200 ms to load):
// base58 of exactly 32 bytes, in its canonical spelling, which is what new PublicKey(text) accepts
// and gives back from toBase58().
import bs58 from "bs58";

export function isSolanaAddress(text: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(text);
  } catch {
    return false;
  }
  return bytes.length === 32 && bs58.encode(bytes) === text;
}
