import { Keypair, PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeSignature,
  offchainMessageEnvelope,
  parseWalletAddress,
  verifyWalletSignature,
  walletLinkMessage,
} from "#src/chain/wallet-proof.ts";
import { signBytes } from "#test/helpers/solana.ts";

const wallet = Keypair.generate();
const message = walletLinkMessage({
  botName: "Forgebot",
  accountName: "alice",
  userId: 7,
  address: wallet.publicKey.toBase58(),
  nonce: "00112233445566778899aabbccddeeff",
  expiresAt: new Date("2026-01-01T00:10:00Z"),
});
const text = Buffer.from(message, "utf8");

describe("wallet signatures (Ed25519, real keypairs)", () => {
  it("names the account, the bot, the wallet, a nonce and an expiry", () => {
    expect(message).toContain("Account: alice (member #7)");
    expect(message).toContain("Bot: Forgebot");
    expect(message).toContain(`Wallet: ${wallet.publicKey.toBase58()}`);
    expect(message).toContain("Nonce: 00112233445566778899aabbccddeeff");
    expect(message).toContain("Expires: 2026-01-01T00:10:00.000Z");
  });

  it("accepts the wallet's signature of the message, plain or in the off-chain envelope", () => {
    expect(verifyWalletSignature(wallet.publicKey, message, signBytes(wallet, text))).toBe(true);
    const envelope = offchainMessageEnvelope(text)!;
    expect(envelope.subarray(0, 16).toString("latin1")).toBe("\xffsolana offchain");
    expect(envelope[17]).toBe(1); // multi-line text: the "limited UTF-8" format
    expect(envelope.readUInt16LE(18)).toBe(text.length);
    expect(verifyWalletSignature(wallet.publicKey, message, signBytes(wallet, envelope))).toBe(true);
  });

  it("refuses another key's signature and a signature of another text", () => {
    const other = Keypair.generate();
    expect(verifyWalletSignature(wallet.publicKey, message, signBytes(other, text))).toBe(false);
    const tampered = Buffer.from(message.replace("member #7", "member #8"), "utf8");
    expect(verifyWalletSignature(wallet.publicKey, message, signBytes(wallet, tampered))).toBe(false);
  });

  it("refuses the signature once any byte of the message changes (property)", () => {
    const signature = signBytes(wallet, text);
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        const changed = Buffer.from(text);
        changed[index] = (changed[index]! ^ flip) & 0xff;
        return !verifyWalletSignature(wallet.publicKey, changed.toString("latin1"), signature);
      }),
      { numRuns: 200 },
    );
  });

  it("reads addresses and signatures strictly", () => {
    expect(parseWalletAddress(` ${wallet.publicKey.toBase58()} `).equals(wallet.publicKey)).toBe(true);
    for (const bad of [
      "",
      "hello",
      "0OIl",
      wallet.publicKey.toBase58().slice(0, 20),
      `${wallet.publicKey.toBase58()}1`,
    ]) {
      expect(() => parseWalletAddress(bad), bad).toThrow(
        expect.objectContaining({ code: "invalid_address" }),
      );
    }
    // A program-derived address is off the curve: no key can sign for it.
    const [pda] = PublicKey.findProgramAddressSync([Buffer.from("vault")], wallet.publicKey);
    expect(() => parseWalletAddress(pda.toBase58())).toThrow(/program, not a wallet/);
    expect(decodeSignature(bs58.encode(new Uint8Array(64).fill(7)))).toHaveLength(64);
    for (const bad of ["", "abc", bs58.encode(new Uint8Array(63)), "0".repeat(88)]) {
      expect(() => decodeSignature(bad)).toThrow(expect.objectContaining({ code: "invalid_signature" }));
    }
  });
});
