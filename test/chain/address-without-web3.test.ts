// The settings check Solana addresses and the treasury key without @solana/web3.js (so that an
// off-chain bot never loads it): the checks must agree with PublicKey and Keypair.fromSecretKey.
import { randomBytes } from "node:crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { describe, expect, it } from "vitest";
import { isSolanaAddress } from "#src/chain/address.ts";
import { TreasuryKeyError, treasuryKeyAddress, treasuryKeyBytes } from "#src/chain/treasury-key.ts";

const acceptedByPublicKey = (text: string): boolean => {
  try {
    return new PublicKey(text).toBase58() === text;
  } catch {
    return false;
  }
};

describe("Solana checks without @solana/web3.js", () => {
  it("accepts exactly the addresses PublicKey accepts in their own spelling", () => {
    const samples = [
      Keypair.generate().publicKey.toBase58(),
      PublicKey.default.toBase58(), // 32 zero bytes: all "1"s
      bs58.encode(Buffer.concat([Buffer.alloc(3), randomBytes(29)])), // leading zero bytes
      bs58.encode(randomBytes(31)),
      bs58.encode(randomBytes(33)),
      bs58.encode(randomBytes(64)),
      `${Keypair.generate().publicKey.toBase58()}0`, // not base58
      ` ${Keypair.generate().publicKey.toBase58()}`,
      "",
      "1",
      "not an address",
    ];
    for (let n = 0; n < 200; n++) samples.push(bs58.encode(randomBytes(30 + (n % 5))));
    for (const text of samples) expect(isSolanaAddress(text), text).toBe(acceptedByPublicKey(text));
  });

  it("reads the treasury key's address as Keypair.fromSecretKey does, and refuses a mismatched half", () => {
    for (let n = 0; n < 20; n++) {
      const keypair = Keypair.generate();
      const bytes = treasuryKeyBytes(JSON.stringify(Array.from(keypair.secretKey)));
      expect(treasuryKeyAddress(bytes)).toBe(keypair.publicKey.toBase58());
      expect(treasuryKeyAddress(treasuryKeyBytes(bs58.encode(keypair.secretKey)))).toBe(
        keypair.publicKey.toBase58(),
      );
    }
    const mismatched = Buffer.concat([
      Keypair.generate().secretKey.subarray(0, 32),
      Keypair.generate().publicKey.toBytes(),
    ]);
    expect(() => Keypair.fromSecretKey(mismatched)).toThrow();
    expect(() => treasuryKeyBytes(bs58.encode(mismatched))).toThrow(TreasuryKeyError);
  });
});
