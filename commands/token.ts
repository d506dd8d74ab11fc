// /token: a creator registers a token of their own to fund factories in (docs/economy.md section 2),
// after staking VIRAL; the list of tokens the bot knows.
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

const register = subcommand({
  description: "Register your own token (needs a VIRAL stake; the mint when on chain)",
  personal: true,
  options: {
    symbol: {
      type: "string",
      description: "Its symbol: 2-12 capital letters or digits, e.g. MYT",
      required: true,
      maxLength: 12,
    },
    decimals: {
      type: "integer",
      description: "Its decimal places (the mint's, when on chain), e.g. 6",
      required: true,
      minValue: 0,
      maxValue: 30,
    },
    mint: {
      type: "string",
      description: "Its Solana mint address (required when the bot is on chain)",
      maxLength: 64,
    },
  },
  async handler(ctx: Ctx, args) {
    const token = await ctx.services.ownTokens.register({
      ...requestOf(ctx),
      symbol: args.symbol,
      decimals: args.decimals,
      ...(args.mint !== undefined ? { mint: args.mint } : {}),
    });
    const mint = token.mint ? `, mint ${token.mint} (its decimals checked on chain)` : "";
    return {
      title: `${token.symbol} registered`,
      text: `${token.symbol} is your own token: ${token.decimals} decimals${mint}. Open a factory paying in it with /factory create token:${token.symbol}. Your VIRAL stake stays locked while such a factory is open.`,
      tone: "success",
      data: { symbol: token.symbol, decimals: token.decimals, mint: token.mint ?? null },
    };
  },
});

const list = subcommand({
  description: "The tokens the bot knows, and which are members' own",
  async handler(ctx: Ctx) {
    const rows = await ctx.services.db.prisma.token.findMany({ orderBy: { symbol: "asc" } });
    const lines = rows.map(
      (t) =>
        `${t.symbol}: ${t.decimals} decimals${t.mint ? `, mint ${t.mint}` : ""}${t.ownerUserId !== null ? `, member #${t.ownerUserId}'s own` : ""}`,
    );
    return {
      title: "Tokens",
      text: lines.join("\n"),
      data: {
        tokens: rows.map((t) => ({
          symbol: t.symbol,
          decimals: t.decimals,
          mint: t.mint,
          ownerUserId: t.ownerUserId,
        })),
      },
    };
  },
});

export default commandGroup({
  name: "token",
  description: "Tokens: register your own to fund factories in it",
  category: "Factories",
  subcommands: { register, list },
});
