// /dataset market and /dataset price: the live tokens and one token's price card.
import { changeText, priceOf, priceText } from "#src/dataset-tokens/figures.ts";
import { marketRow, marketRows, priceHistory } from "#src/dataset-tokens/market.ts";
import { formatAmount } from "#src/ledger/amount.ts";
import { decimalString, formatMoney } from "../_format.ts";
import { type Ctx, paging, subcommand } from "../_kit.ts";

/** CLONES atoms cut to 2 decimals (rounded down): what fits the card; the text has every atom. */
const toCents = (atoms: bigint) => (atoms / 10_000_000n) * 10_000_000n;

const subjectOf = (row: { kind: string; factoryId: number | null; bundleId: number | null }) =>
  row.kind === "dataset" ? `factory #${row.factoryId}'s dataset` : `bundle #${row.bundleId}`;

export const market = subcommand({
  description: "Live dataset tokens by market cap, with 24 h volume and price change",
  async handler(ctx: Ctx) {
    const { window, empty, of } = paging(ctx);
    const rows = await marketRows(ctx.services.db.prisma, ctx.now);
    const page = rows.slice(window.offset, window.offset + window.limit);
    if (page.length === 0)
      return {
        title: "Dataset tokens",
        text: empty("No dataset token has launched yet. A creator launches one with /dataset launch."),
        data: { tokens: [] },
      };
    const clones = ctx.services.tokens.get("CLONES");
    return {
      ...of(rows.length, "Dataset tokens"),
      text: page
        .map(
          (r, i) =>
            `${window.offset + i + 1}. **${r.token.symbol}** (${subjectOf(r.token)}): ${priceText(r.price)} CLONES, cap ${formatMoney(r.marketCapAtoms, clones)}, 24 h volume ${formatMoney(r.volume24hAtoms, clones)}, ${changeText(r.priceBefore, r.price)}`,
        )
        .join("\n"),
      data: {
        tokens: page.map((r) => ({
          symbol: r.token.symbol,
          kind: r.token.kind,
          factory: r.token.factoryId,
          bundle: r.token.bundleId,
          price: priceText(r.price),
          marketCap: decimalString(r.marketCapAtoms, clones),
          volume24h: decimalString(r.volume24hAtoms, clones),
          change24h: changeText(r.priceBefore, r.price),
        })),
      },
    };
  },
});

export const price = subcommand({
  description: "A dataset token's price card: its price over time",
  options: {
    symbol: { type: "string", description: "The token's symbol, e.g. WEBNAV", required: true, maxLength: 12 },
  },
  async handler(ctx: Ctx, args) {
    const { db, datasetTokens, config } = ctx.services;
    const token = await datasetTokens.bySymbol(db.prisma, args.symbol);
    const row = await marketRow(db.prisma, token, ctx.now);
    const history = await priceHistory(db.prisma, token);
    const clones = ctx.services.tokens.get("CLONES");
    const view = {
      symbol: token.symbol,
      subject: subjectOf(token),
      price: priceText(row.price),
      marketCap: formatAmount(toCents(row.marketCapAtoms), clones),
      change24h: changeText(row.priceBefore, row.price),
      volume24h: formatAmount(toCents(row.volume24hAtoms), clones),
      points: history.map((p) => ({ at: p.at, price: priceOf(p).toNumber() })),
    };
    return {
      title: `${token.symbol}: ${view.price} CLONES`,
      text: `${token.symbol} (${view.subject}): ${view.price} CLONES per token, market cap ${formatMoney(row.marketCapAtoms, clones)}, 24 h ${view.change24h}, volume ${formatMoney(row.volume24hAtoms, clones)}; ${history.length} price point${history.length === 1 ? "" : "s"} since launch.`,
      data: {
        symbol: token.symbol,
        price: view.price,
        marketCap: decimalString(row.marketCapAtoms, clones),
        change24h: view.change24h,
        points: history.map((p) => ({ at: p.at.toISOString(), price: priceText(priceOf(p)) })),
      },
      ...(config.CARD_IMAGES
        ? {
            image: {
              png: (
                await (
                  await import("#src/dataset-tokens/price-card.ts")
                ).renderPriceCard({
                  ...view,
                  price: row.price.toSignificantDigits(8).toFixed(),
                })
              ).png,
              name: `${token.symbol.toLowerCase()}-price.png`,
              alt: `${token.symbol}'s price over time: ${history.length} points, now ${view.price} CLONES per token`,
            },
          }
        : {}),
    };
  },
});
