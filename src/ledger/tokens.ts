// The token registry: symbol, decimals and, where known, the Solana mint. The defaults are seeded
// on start; a deployment adds more with EXTRA_TOKENS and creators may register their own.
import { UserError } from "#src/core/errors.ts";
import type { Tx, TxClient } from "#src/db/database.ts";
import type { TokenInfo } from "./amount.ts";

export const DEFAULT_TOKENS: readonly TokenInfo[] = [
  { symbol: "USDC", decimals: 6, mint: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v" },
  { symbol: "SOL", decimals: 9 },
  { symbol: "CLONES", decimals: 9 },
  { symbol: "VIRAL", decimals: 9 },
  { symbol: "ETH", decimals: 18 },
];

const SYMBOL = /^[A-Z][A-Z0-9]{1,11}$/;

export class TokenRegistry {
  readonly #bySymbol = new Map<string, TokenInfo>();

  constructor(tokens: Iterable<TokenInfo> = []) {
    for (const token of tokens) this.#bySymbol.set(token.symbol, token);
  }

  /** Loads every token from the database, first adding the defaults and `extra` if missing. */
  static async load(tx: Tx, extra: readonly TokenInfo[] = []): Promise<TokenRegistry> {
    const { db } = tx;
    // One INSERT … ON CONFLICT DO NOTHING: bot processes starting together on one database all
    // seed the same rows, and a read-then-insert upsert would let the slower one fail.
    await db.token.createMany({
      data: [...DEFAULT_TOKENS, ...extra].map((token) => ({
        symbol: token.symbol,
        decimals: token.decimals,
        mint: token.mint ?? null,
        createdAt: tx.now,
      })),
      skipDuplicates: true,
    });
    const rows = await db.token.findMany({ orderBy: { symbol: "asc" } });
    return new TokenRegistry(rows.map((r) => ({ symbol: r.symbol, decimals: r.decimals, mint: r.mint })));
  }

  /** The token named `symbol` (any case), or a UserError listing the known ones. */
  get(symbol: string): TokenInfo {
    const token = this.#bySymbol.get(symbol.trim().toUpperCase());
    if (!token) {
      throw new UserError(
        "unknown_token",
        `There is no token "${symbol}". Known tokens: ${this.symbols().join(", ")}.`,
        {
          token: symbol,
        },
      );
    }
    return token;
  }

  /** Like get, but a token another process registered since start-up is found in the database. */
  async resolve(db: TxClient, symbol: string): Promise<TokenInfo> {
    const known = this.#bySymbol.get(symbol.trim().toUpperCase());
    if (known) return known;
    const row = await db.token.findUnique({ where: { symbol: symbol.trim().toUpperCase() } });
    if (!row) return this.get(symbol);
    const token = { symbol: row.symbol, decimals: row.decimals, mint: row.mint };
    this.#bySymbol.set(token.symbol, token);
    return token;
  }

  has(symbol: string): boolean {
    return this.#bySymbol.has(symbol.trim().toUpperCase());
  }

  symbols(): string[] {
    return [...this.#bySymbol.keys()].sort();
  }

  all(): TokenInfo[] {
    return this.symbols().map((s) => this.#bySymbol.get(s)!);
  }

  /**
   * Registers a new token in the database and here. Refuses a symbol already taken. `ownerUserId`
   * names the creator whose own token it is (docs/economy.md section 2).
   */
  async add(tx: Tx, token: TokenInfo, ownerUserId?: number): Promise<TokenInfo> {
    if (!SYMBOL.test(token.symbol)) {
      throw new UserError(
        "invalid_token",
        "A token symbol is 2 to 12 capital letters or digits, starting with a letter.",
      );
    }
    if (!Number.isInteger(token.decimals) || token.decimals < 0 || token.decimals > 30) {
      throw new UserError("invalid_token", "A token has between 0 and 30 decimal places.");
    }
    // Another process may have registered it since this one started: the database decides.
    if (this.has(token.symbol) || (await tx.db.token.findUnique({ where: { symbol: token.symbol } })))
      throw new UserError("token_exists", `The token ${token.symbol} already exists; choose another symbol.`);
    await tx.db.token.create({
      data: {
        symbol: token.symbol,
        decimals: token.decimals,
        mint: token.mint ?? null,
        ownerUserId: ownerUserId ?? null,
        createdAt: tx.now,
      },
    });
    tx.afterCommit(() => {
      this.#bySymbol.set(token.symbol, token);
    });
    return token;
  }
}
