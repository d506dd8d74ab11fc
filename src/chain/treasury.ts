// The treasury: the wallet whose token accounts receive deposits and pay withdrawals. Its address
// comes from its key, or from SOLANA_TREASURY_ADDRESS for a watch-only bot that verifies deposits
// but cannot send. The key is read from SOLANA_TREASURY_KEY or the file SOLANA_TREASURY_KEY_FILE,
// kept in a private field, and never printed: not in logs, errors, replies or the config.
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { Keypair, PublicKey, type Transaction } from "@solana/web3.js";
import bs58 from "bs58";
import type { Secret } from "./secret.ts";

const KEY_FORMATS =
  "a JSON array of 64 numbers (the file solana-keygen writes) or the 64-byte secret key in base58 (a wallet's export)";

/** Why a key text is not a usable secret key, without ever quoting it. */
export class TreasuryKeyError extends Error {
  override name = "TreasuryKeyError";
}

/** Reads a secret key in either format wallets and the Solana CLI use. */
export function parseTreasuryKey(text: string): Keypair {
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
  try {
    return Keypair.fromSecretKey(bytes);
  } catch {
    throw new TreasuryKeyError("the key's public half does not match its secret half");
  }
}

/** Reads the key file; its errors name the path, never the content. */
export function readTreasuryKeyFile(path: string): Keypair {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TreasuryKeyError(`cannot read ${path} (${code ?? "unknown error"})`);
  }
  return parseTreasuryKey(text);
}

/** Signs withdrawal batches. Holds the key; prints as its address only. */
export class TreasurySigner {
  readonly #keypair: Keypair;

  constructor(keypair: Keypair) {
    this.#keypair = keypair;
  }

  get publicKey(): PublicKey {
    return this.#keypair.publicKey;
  }

  sign(transaction: Transaction): void {
    transaction.sign(this.#keypair);
  }

  toJSON(): string {
    return `treasury signer ${this.publicKey.toBase58()}`;
  }

  toString(): string {
    return this.toJSON();
  }

  [inspect.custom](): string {
    return this.toJSON();
  }
}

export interface Treasury {
  address: PublicKey;
  /** Absent for a watch-only treasury (an address without a key): deposits only. */
  signer?: TreasurySigner;
}

export interface TreasurySettings {
  SOLANA_TREASURY_KEY?: Secret;
  SOLANA_TREASURY_KEY_FILE?: string;
  SOLANA_TREASURY_ADDRESS?: string;
}

/** The configured treasury, if any. Settings were validated by loadConfig; this only assembles. */
export function loadTreasury(settings: TreasurySettings): Treasury | undefined {
  const keypair = settings.SOLANA_TREASURY_KEY
    ? parseTreasuryKey(settings.SOLANA_TREASURY_KEY.reveal())
    : settings.SOLANA_TREASURY_KEY_FILE
      ? readTreasuryKeyFile(settings.SOLANA_TREASURY_KEY_FILE)
      : undefined;
  if (keypair) return { address: keypair.publicKey, signer: new TreasurySigner(keypair) };
  if (settings.SOLANA_TREASURY_ADDRESS) return { address: new PublicKey(settings.SOLANA_TREASURY_ADDRESS) };
  return undefined;
}
