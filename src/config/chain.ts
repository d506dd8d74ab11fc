// Solana (src/chain): the RPC node, the treasury, wallet links and withdrawal batches.
// Checked without @solana/web3.js (src/chain/address.ts, treasury-key.ts): loading the settings
// does not load Solana's libraries.
import { z } from "zod";
import { isSolanaAddress } from "#src/chain/address.ts";
import { Secret } from "#src/chain/secret.ts";
import {
  readTreasuryKeyText,
  TreasuryKeyError,
  treasuryKeyAddress,
  treasuryKeyBytes,
} from "#src/chain/treasury-key.ts";
import { durationSeconds, httpUrl, optional, type SliceConfig, secret } from "./settings.ts";

const solanaAddress = z
  .string()
  .trim()
  .refine(isSolanaAddress, { message: "expected a Solana address (base58, 32 bytes)" });

export const chainSettings = {
  /** A Solana JSON-RPC endpoint; without one the bot runs off-chain (moderators credit and debit). */
  SOLANA_RPC_URL: secret(optional(httpUrl)),
  /** The treasury's secret key, base58 or a JSON byte array; kept out of every log and reply. */
  SOLANA_TREASURY_KEY: secret(optional(z.string().transform((key) => new Secret(key)))),
  /** ...or a file holding it (solana-keygen's JSON). */
  SOLANA_TREASURY_KEY_FILE: optional(z.string().trim()),
  /** The treasury's address without its key: deposits are verified, withdrawals are not sent. */
  SOLANA_TREASURY_ADDRESS: optional(solanaAddress),
  /** How long a /wallet link message can be signed and verified. */
  WALLET_CHALLENGE_TTL_SECONDS: durationSeconds(600),
  /** At most this many withdrawals per Solana transaction (fewer if they would not fit). */
  WITHDRAWAL_BATCH_SIZE: z.coerce.number().int().min(1).max(20).default(8),
  /** A withdrawal whose batches expired unsent this many times fails, and its money is returned. */
  WITHDRAWAL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
};

export type ChainConfig = SliceConfig<typeof chainSettings>;

/**
 * The treasury: one key source at most, readable, agreeing with the address if both are given, and
 * present when a chain is. Runs once every setting is valid (loadConfig), not inside the schema:
 * it is the one check that reads a file (SOLANA_TREASURY_KEY_FILE).
 */
export function treasuryProblems(config: ChainConfig): Array<[string, string]> {
  if (config.SOLANA_TREASURY_KEY && config.SOLANA_TREASURY_KEY_FILE)
    return [["SOLANA_TREASURY_KEY_FILE", "set SOLANA_TREASURY_KEY or SOLANA_TREASURY_KEY_FILE, not both"]];
  let address: string | undefined;
  try {
    if (config.SOLANA_TREASURY_KEY)
      address = treasuryKeyAddress(treasuryKeyBytes(config.SOLANA_TREASURY_KEY.reveal()));
    else if (config.SOLANA_TREASURY_KEY_FILE)
      address = treasuryKeyAddress(treasuryKeyBytes(readTreasuryKeyText(config.SOLANA_TREASURY_KEY_FILE)));
  } catch (error) {
    if (!(error instanceof TreasuryKeyError)) throw error;
    const path = config.SOLANA_TREASURY_KEY ? "SOLANA_TREASURY_KEY" : "SOLANA_TREASURY_KEY_FILE";
    return [[path, error.message]];
  }
  const problems: Array<[string, string]> = [];
  if (address && config.SOLANA_TREASURY_ADDRESS && address !== config.SOLANA_TREASURY_ADDRESS)
    problems.push([
      "SOLANA_TREASURY_ADDRESS",
      `does not match the treasury key, whose address is ${address}; leave it unset or correct it`,
    ]);
  if (config.SOLANA_RPC_URL && !address && !config.SOLANA_TREASURY_ADDRESS)
    problems.push([
      "SOLANA_RPC_URL",
      "a chain needs a treasury: set SOLANA_TREASURY_KEY or SOLANA_TREASURY_KEY_FILE (or SOLANA_TREASURY_ADDRESS to only verify deposits)",
    ]);
  return problems;
}
