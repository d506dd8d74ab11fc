// The bot's Solana side, wired from the settings: wallets always; deposits and withdrawals when an
// RPC node and a treasury are configured. Without them the bot is off chain, and moderators'
// /admin credit and /admin debit are how balances enter and leave (docs/economy.md section 9).
import { PublicKey } from "@solana/web3.js";
import type { BotConfig } from "#src/config/bot.ts";
import type { ChainConfig } from "#src/config/chain.ts";
import { UserError } from "#src/core/errors.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database } from "#src/db/database.ts";
import type { Identity } from "#src/identity/identity.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";
import { Deposits } from "./deposits.ts";
import type { MintReader } from "./mints.ts";
import { ConnectionRpc, type SolanaRpc, type SolanaWriter } from "./rpc.ts";
import { loadTreasury, type Treasury } from "./treasury.ts";
import { Wallets } from "./wallets.ts";
import { processWithdrawals, type SenderReport } from "./withdrawal-sender.ts";
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
  ) {
    this.wallets = new Wallets(deps.db, {
      botName: settings.BOT_NAME,
      challengeTtlSeconds: settings.WALLET_CHALLENGE_TTL_SECONDS,
    });
    this.withdrawals = new Withdrawals(deps.db, deps.ledger, this.wallets, () => this.requireSender());
    this.#deposits =
      rpc && treasury ? new Deposits({ ...deps, wallets: this.wallets, treasury, reader: rpc }) : undefined;
    deps.identity.onMerge("wallets", (tx, from, into) => this.wallets.merge(tx, from, into));
    this.mintReader = rpc;
  }

  /**
   * The decimals of the mint at `address` as the chain has them (registering a creator's own
   * token); refuses off chain, and for an address that is not a mint.
   */
  async mintDecimals(address: string): Promise<number> {
    if (!this.mintReader) throw notConnected();
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

/** The chain as the settings describe it. */
export function createChain(config: ChainSettings, deps: ChainDeps): Chain {
  const treasury = loadTreasury(config);
  const rpc = config.SOLANA_RPC_URL ? new ConnectionRpc(config.SOLANA_RPC_URL) : undefined;
  return new Chain(deps, config, rpc, treasury);
}
