// The treasury: the wallet whose token accounts receive deposits and pay withdrawals. Its address
// comes from its key, or from SOLANA_TREASURY_ADDRESS for a watch-only bot that verifies deposits
// but cannot send. The key is read from SOLANA_TREASURY_KEY or the file SOLANA_TREASURY_KEY_FILE,
// kept in a private field, and never printed: not in logs, errors, replies or the config.
import { inspect } from "node:util";
import { Keypair, PublicKey, type Transaction } from "@solana/web3.js";
import type { Secret } from "./secret.ts";
import { readTreasuryKeyText, TreasuryKeyError, treasuryKeyBytes } from "./treasury-key.ts";

export { TreasuryKeyError };

/** Reads a secret key in either format wallets and the Solana CLI use (checked in treasury-key.ts). */
export function parseTreasuryKey(text: string): Keypair {
  return Keypair.fromSecretKey(treasuryKeyBytes(text));
}

/** Reads the key file; its errors name the path, never the content. */
export function readTreasuryKeyFile(path: string): Keypair {
  return parseTreasuryKey(readTreasuryKeyText(path));
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
