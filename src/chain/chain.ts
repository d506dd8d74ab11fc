// The bot's Solana side, wired from the settings: wallets always; deposits and withdrawals when an
// RPC node and a treasury are configured. Without them the bot is off chain, and moderators'
// /admin credit and /admin debit are how balances enter and leave (docs/economy.md section 9).
//
// Solana's libraries (@solana/web3.js and @solana/spl-token: about 35 MiB and 400 ms to load) are
// imported only when a chain feature needs them: the node and treasury when configured, the
// sender when withdrawals run, the address check on a mint or a /wallet command. An off-chain bot
// never loads them.
import type { PublicKey } from "@solana/web3.js";
import type { BotConfig } from "#src/config/bot.ts";
import type { ChainConfig } from "#src/config/chain.ts";
import { UserError } from "#src/core/errors.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database } from "#src/db/database.ts";
import type { Identity } from "#src/identity/identity.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";
import type { Deposits } from "./deposits.ts";
import type { MintReader } from "./mints.ts";
import type { SolanaRpc, SolanaWriter } from "./rpc.ts";
import type { Treasury } from "./treasury.ts";
import { Wallets } from "./wallets.ts";
import type { SenderReport } from "./withdrawal-sender.ts";
import { Withdrawals } from "./withdrawals.ts";

export interface ChainDeps {
  db: Database;
  ledger: Ledger;
  tokens: TokenRegistry;
  identity: Identity;
  notifier: Notifier;
  log: Logger;
}

/** The chain slice of the settings, and the bot's name for the wallet-link message. */
type ChainSettings = ChainConfig & Pick<BotConfig, "BOT_NAME">;

export const OFF_CHAIN_MESSAGE =
  "The bot is not connected to Solana, so nothing moves on chain. Moderators add and remove balances with /admin credit and /admin debit: ask one.";

export class Chain {
  readonly wallets: Wallets;
  readonly withdrawals: Withdrawals;
  readonly #deposits: Deposits | undefined;

  constructor(
    private readonly deps: ChainDeps,
    private readonly settings: ChainSettings,
    /** The node; undefined off chain. */
    readonly rpc: SolanaRpc | undefined,
    /** The treasury; undefined off chain. */
    readonly treasury: Treasury | undefined,
    /** Builds deposit verification on the wallets (given a node and a treasury). */
    depositsOn?: (wallets: Wallets) => Deposits,
  ) {
    this.wallets = new Wallets(deps.db, {
      botName: settings.BOT_NAME,
      challengeTtlSeconds: settings.WALLET_CHALLENGE_TTL_SECONDS,
    });
    this.withdrawals = new Withdrawals(deps.db, deps.ledger, this.wallets, () => this.requireSender());
    this.#deposits = depositsOn?.(this.wallets);
    deps.identity.onMerge("wallets", (tx, from, into) => this.wallets.merge(tx, from, into));
    this.mintReader = rpc;
  }

  /**
   * The decimals of the mint at `address` as the chain has them (registering a creator's own
   * token); refuses off chain, and for an address that is not a mint.
   */
  async mintDecimals(address: string): Promise<number> {
    if (!this.mintReader) throw notConnected();
    const { PublicKey } = await import("@solana/web3.js");
    let key: PublicKey;
    try {
      key = new PublicKey(address);
    } catch {
      throw new UserError(
        "invalid_option",
        `"${address}" is not a Solana address: give the mint's address in base58, as your explorer shows it.`,
      );
    }
    const decimals = await this.mintReader.mintDecimals(key);
    if (decimals === null)
      throw new UserError(
        "not_a_mint",
        `${address} is not a token mint on chain. Give the address of your token's mint (not a wallet or a token account).`,
      );
    return decimals;
  }

  /** Where mints are read (the node; tests put an in-process runtime here). */
  mintReader: MintReader | undefined;

  /** Whether a node and a treasury are configured: deposits are verified and withdrawals sent. */
  get connected(): boolean {
    return this.#deposits !== undefined;
  }

  /** Deposit verification; refuses off chain. */
  get deposits(): Deposits {
    if (!this.#deposits) throw notConnected();
    return this.#deposits;
  }

  /** Refuses off chain, and for a watch-only treasury (an address without its key). */
  private requireSender(): void {
    if (!this.connected) throw notConnected();
    if (!this.treasury?.signer) {
      throw new UserError(
        "withdrawals_disabled",
        "Withdrawals are not enabled: the bot watches the treasury but does not hold its key. A moderator can pay out with /admin debit.",
      );
    }
  }

  /**
   * One run of the withdrawal sender (the withdrawals job; tests pass another runtime as `rpc`).
   * Stops before the next batch, and gives up its RPC calls, once `signal` is aborted.
   */
  async sendWithdrawals(
    now: Date,
    options: { rpc?: SolanaWriter; signal?: AbortSignal } = {},
  ): Promise<SenderReport | undefined> {
    const { rpc = this.rpc, signal } = options;
    const signer = this.treasury?.signer;
    if (!rpc || !signer) return undefined;
    const { processWithdrawals } = await import("./withdrawal-sender.ts");
    return processWithdrawals(
      {
        ...this.deps,
        treasury: signer,
        rpc,
        batchSize: this.settings.WITHDRAWAL_BATCH_SIZE,
        maxAttempts: this.settings.WITHDRAWAL_MAX_ATTEMPTS,
      },
      now,
      signal,
    );
  }

  /** When /link makes two members one, their chain records follow the one who remains. */
}

export function notConnected(): UserError {
  return new UserError("chain_not_connected", OFF_CHAIN_MESSAGE);
}

/** The chain as the settings describe it; Solana's modules load only when a node or treasury is set. */
export async function createChain(config: ChainSettings, deps: ChainDeps): Promise<Chain> {
  const hasTreasury = Boolean(
    config.SOLANA_TREASURY_KEY || config.SOLANA_TREASURY_KEY_FILE || config.SOLANA_TREASURY_ADDRESS,
  );
  const treasury = hasTreasury ? (await import("./treasury.ts")).loadTreasury(config) : undefined;
  const rpc = config.SOLANA_RPC_URL
    ? new (await import("./rpc.ts")).ConnectionRpc(config.SOLANA_RPC_URL)
    : undefined;
  if (!rpc || !treasury) return new Chain(deps, config, rpc, treasury);
  const { Deposits } = await import("./deposits.ts");
  return new Chain(
    deps,
    config,
    rpc,
    treasury,
    (wallets) => new Deposits({ ...deps, wallets, treasury, reader: rpc }),
  );
}
