// The treasury's secret key as text (SOLANA_TREASURY_KEY or its file), read and checked without
// @solana/web3.js, so that loading the settings does not load Solana's libraries: the 64 bytes
// (a 32-byte seed, then the public key) and the address they give. treasury.ts makes the Keypair.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import bs58 from "bs58";

const KEY_FORMATS =
  "a JSON array of 64 numbers (the file solana-keygen writes) or the 64-byte secret key in base58 (a wallet's export)";

// DER header of an Ed25519 private key (PKCS #8); the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** Why a key text is not a usable secret key, without ever quoting it. */
export class TreasuryKeyError extends Error {
  override name = "TreasuryKeyError";
}

/**
 * The 64 secret-key bytes of `text`, in either format wallets and the Solana CLI use, once their
 * public half is checked against the seed (as Keypair.fromSecretKey checks it).
 */
export function treasuryKeyBytes(text: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new TreasuryKeyError(`expected ${KEY_FORMATS}; this is not valid JSON`);
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 64 ||
      !parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
    ) {
      throw new TreasuryKeyError(`expected ${KEY_FORMATS}; the array is not 64 numbers from 0 to 255`);
    }
    bytes = Uint8Array.from(parsed as number[]);
  } else {
    try {
      bytes = bs58.decode(trimmed);
    } catch {
      throw new TreasuryKeyError(`expected ${KEY_FORMATS}; this is neither`);
    }
    if (bytes.length !== 64)
      throw new TreasuryKeyError(`expected ${KEY_FORMATS}; the base58 text is ${bytes.length} bytes`);
  }
  if (!Buffer.from(publicKeyOfSeed(bytes.subarray(0, 32))).equals(Buffer.from(bytes.subarray(32))))
    throw new TreasuryKeyError("the key's public half does not match its secret half");
  return bytes;
}

/** Reads the key file; its errors name the path, never the content. */
export function readTreasuryKeyText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TreasuryKeyError(`cannot read ${path} (${code ?? "unknown error"})`);
  }
}

/** The address (base58 public key) of checked secret-key bytes. */
export function treasuryKeyAddress(bytes: Uint8Array): string {
  return bs58.encode(bytes.subarray(32));
}

function publicKeyOfSeed(seed: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  return Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x!, "base64url");
}
