// A creator's own token (docs/economy.md section 2): registered by the creator after staking VIRAL
// (OWN_TOKEN_MIN_VIRAL_STAKE) with /stake add token:VIRAL; when a chain is connected its Solana mint
// is required and the decimals are checked against the mint's. The VIRAL stake a factory in a
// token of one's own needs stays locked while such a factory of theirs is open (live or paused):
// Staking asks lockedViral before an unstake, under the member's stake lock, which /factory create
// in such a token also takes, so the two never pass each other.
import type { Chain } from "#src/chain/chain.ts";
import type { PoolsConfig } from "#src/config/pools.ts";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Database, Tx } from "#src/db/database.ts";
import { lockStakeTurn, stakeAccount } from "#src/economy/ambassadors/stake-accounts.ts";
import type { Staking } from "#src/economy/ambassadors/staking.ts";
import { OWN_TOKEN_STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import type { FactoryStatus } from "#src/economy/pools/statuses.ts";
import { formatMoney, parsePositiveAmount, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import { DEFAULT_TOKENS, type TokenRegistry } from "#src/ledger/tokens.ts";

const OPEN: FactoryStatus[] = ["live", "paused"];

export class OwnTokens {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    private readonly chain: Pick<Chain, "mintReader" | "mintDecimals">,
    private readonly config: Pick<PoolsConfig, "OWN_TOKEN_MIN_VIRAL_STAKE">,
  ) {}

  /** The VIRAL stake an own token needs, in atoms. */
  get minimumStakeAtoms(): bigint {
    return parsePositiveAmount(this.config.OWN_TOKEN_MIN_VIRAL_STAKE, this.viral);
  }

  private get viral(): TokenInfo {
    return this.tokens.get(OWN_TOKEN_STAKE_TOKEN);
  }

  /** Lets `staking` refuse a VIRAL unstake that would leave an open own-token factory unbacked. */
  attach(staking: Staking): void {
    staking.viralLock = (tx, userId) => this.lockedViral(tx, userId);
  }

  /** The VIRAL that must stay staked for `userId`'s open factories in a token of their own, if any. */
  async lockedViral(tx: Tx, userId: number): Promise<{ lockedAtoms: bigint; why: string } | undefined> {
    const open = await tx.db.factory.findMany({
      where: {
        creatorUserId: userId,
        status: { in: OPEN },
        token: { notIn: DEFAULT_TOKENS.map((t) => t.symbol) },
      },
      select: { id: true, token: true },
      orderBy: { id: "asc" },
    });
    if (open.length === 0) return undefined;
    const list = open.map((f) => `#${f.id} (${f.token})`).join(", ");
    return {
      lockedAtoms: this.minimumStakeAtoms,
      why: `your factor${open.length === 1 ? "y" : "ies"} ${list} pay${open.length === 1 ? "s" : ""} in your own token and ${open.length === 1 ? "is" : "are"} open.`,
    };
  }

  /** Checks, under the member's stake lock, that they have the VIRAL stake an own token needs. */
  async requireStake(tx: Tx, actor: Actor, what: string): Promise<void> {
    await lockStakeTurn(tx, actor.userId, "update");
    const needed = this.minimumStakeAtoms;
    const staked = (await this.ledger.balance(tx.db, stakeAccount(actor.userId, OWN_TOKEN_STAKE_TOKEN)))
      .balanceAtoms;
    if (staked < needed)
      throw new UserError(
        "stake_required",
        `${what} needs ${formatMoney(needed, this.viral)} staked; you have ${formatMoney(staked, this.viral)} staked. Stake it with /stake add amount:${this.config.OWN_TOKEN_MIN_VIRAL_STAKE} token:VIRAL first.`,
        { stakedAtoms: staked.toString(), neededAtoms: needed.toString() },
      );
  }

  /**
   * Registers `symbol` as the actor's own token. With a chain connected the mint is required and
   * its decimals must be the ones given; off chain a mint cannot be checked, so none is taken.
   */
  async register(request: {
    actor: Actor;
    key: string;
    symbol: string;
    decimals: number;
    mint?: string;
  }): Promise<TokenInfo> {
    const symbol = request.symbol.trim().toUpperCase();
    const mint = request.mint?.trim() || undefined;
    if (this.chain.mintReader === undefined && mint !== undefined)
      throw new UserError(
        "chain_not_connected",
        "This bot is not connected to Solana, so it cannot check a mint: register the token without mint:.",
      );
    if (this.chain.mintReader !== undefined) {
      if (mint === undefined)
        throw new UserError(
          "missing_option",
          "This bot is connected to Solana: give your token's mint address too (mint:<address>), so deposits of it can be recognised.",
        );
      const onChain = await this.chain.mintDecimals(mint);
      if (onChain !== request.decimals)
        throw new UserError(
          "decimals_mismatch",
          `The mint ${mint} has ${onChain} decimals on chain, not ${request.decimals}. Register it with decimals:${onChain}.`,
          { onChain, given: request.decimals },
        );
    }
    const token: TokenInfo = { symbol, decimals: request.decimals, ...(mint ? { mint } : {}) };
    return this.db.transaction(async (tx) => {
      const { result } = await runOnce(
        tx,
        { scope: "token.register", key: request.key, input: { symbol, decimals: request.decimals, mint } },
        async () => {
          await this.requireStake(tx, request.actor, `Registering ${symbol} as your own token`);
          if (mint) {
            const taken = await tx.db.token.findFirst({ where: { mint } });
            if (taken)
              throw new UserError(
                "token_exists",
                `The mint ${mint} is registered already, as ${taken.symbol}. Pools in it use that symbol.`,
              );
          }
          await this.tokens.add(tx, token, request.actor.userId);
          return token;
        },
      );
      return result;
    });
  }

  /** The tokens `userId` registered as their own. */
  async of(userId: number): Promise<TokenInfo[]> {
    const rows = await this.db.prisma.token.findMany({
      where: { ownerUserId: userId },
      orderBy: { symbol: "asc" },
    });
    return rows.map((r) => ({ symbol: r.symbol, decimals: r.decimals, mint: r.mint }));
  }
}
