// Proving a wallet is yours without moving money: the bot writes a one-time message naming your
// account, the bot, a nonce and an expiry; your wallet signs it (Ed25519, the key behind the
// address); the bot checks the signature against the address. Wallet apps sign the message's
// UTF-8 bytes (signMessage); `solana sign-offchain-message` signs them inside Solana's off-chain
// message envelope. Both are accepted.
import { createPublicKey, verify } from "node:crypto";
import { PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { UserError } from "#src/core/errors.ts";

export interface LinkMessageFields {
  botName: string;
  accountName: string;
  userId: number;
  address: string;
  nonce: string;
  expiresAt: Date;
}

/** The text a member signs to link `address` to their account. */
export function walletLinkMessage(fields: LinkMessageFields): string {
  return [
    `${fields.botName} wallet link`,
    "",
    `I own this wallet and link it to my ${fields.botName} account.`,
    `Account: ${fields.accountName} (member #${fields.userId})`,
    `Wallet: ${fields.address}`,
    `Bot: ${fields.botName}`,
    `Nonce: ${fields.nonce}`,
    `Expires: ${fields.expiresAt.toISOString()}`,
    "",
    "Signing this message costs nothing and approves no transaction.",
  ].join("\n");
}

/** A wallet address someone typed: valid base58 of 32 bytes, and a key that can sign (on the curve). */
export function parseWalletAddress(text: string): PublicKey {
  const trimmed = text.trim();
  let key: PublicKey;
  try {
    key = new PublicKey(trimmed);
  } catch {
    throw new UserError(
      "invalid_address",
      "That is not a Solana address. Copy your wallet's address (base58, 32 to 44 characters) and try again.",
    );
  }
  if (key.toBase58() !== trimmed) {
    throw new UserError("invalid_address", "That is not a Solana address in its usual base58 form.");
  }
  if (!PublicKey.isOnCurve(key.toBytes())) {
    throw new UserError(
      "invalid_address",
      "That address belongs to a program, not a wallet, so it cannot sign. Use your own wallet's address.",
    );
  }
  return key;
}

/** A base58 Ed25519 signature (64 bytes), as wallets and explorers show them. */
export function decodeSignature(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(text.trim());
  } catch {
    bytes = new Uint8Array();
  }
  if (bytes.length !== 64) {
    throw new UserError(
      "invalid_signature",
      "That is not a signature: paste the base58 signature (about 88 characters) exactly as shown.",
    );
  }
  return bytes;
}

// DER header of an Ed25519 public key (SubjectPublicKeyInfo); the 32 key bytes follow.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Whether `signature` is `address`'s signature of `message`, plain or in the off-chain envelope. */
export function verifyWalletSignature(address: PublicKey, message: string, signature: Uint8Array): boolean {
  const key = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, address.toBuffer()]),
    format: "der",
    type: "spki",
  });
  const text = Buffer.from(message, "utf8");
  return [text, offchainMessageEnvelope(text)].some(
    (signed) => signed !== undefined && verify(null, signed, key, signature),
  );
}

// Solana's off-chain message format, version 0 (agave sdk offchain_message.rs): signing domain,
// header version, message format, length (u16 little-endian), message.
const SIGNING_DOMAIN = Buffer.from("\xffsolana offchain", "latin1");
const MAX_LEDGER_MESSAGE_BYTES = 1212;
const MAX_MESSAGE_BYTES = 65_515;

export function offchainMessageEnvelope(message: Uint8Array): Buffer | undefined {
  if (message.length === 0 || message.length > MAX_MESSAGE_BYTES) return undefined;
  const printableAscii = message.every((b) => b >= 0x20 && b <= 0x7e);
  const format =
    printableAscii && message.length <= MAX_LEDGER_MESSAGE_BYTES
      ? 0
      : message.length <= MAX_LEDGER_MESSAGE_BYTES
        ? 1
        : 2;
  const header = Buffer.alloc(4);
  header.writeUInt8(0, 0);
  header.writeUInt8(format, 1);
  header.writeUInt16LE(message.length, 2);
  return Buffer.concat([SIGNING_DOMAIN, header, message]);
}
