// The checks a trade on a dataset token's curve must pass (docs/economy.md section 10.3), shared by
// the previews and by the trades themselves under the lock: each refusal says what would work (the
// most that still buys, sold out, what the curve can buy back, the min_out that was missed).
import { UserError } from "#src/core/errors.ts";
import { decimalString, formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import { datasetTokenInfo } from "./accounts.ts";
import { type BuyQuote, maxBuy, quoteBuy, quoteSell, type SellQuote } from "./curve.ts";
import type { DatasetTokenRow } from "./rows.ts";

/** The buy quote, or the refusal that says what would work (the most that still buys, sold out). */
export function checkedBuy(
  token: DatasetTokenRow,
  payAtoms: bigint,
  clones: TokenInfo,
  minOut?: bigint,
): Extract<BuyQuote, { ok: true }> {
  const tokenInfo = datasetTokenInfo(token.symbol);
  if (payAtoms <= 0n)
    throw new UserError("invalid_amount", "Buy with an amount of CLONES above zero, e.g. amount:100.");
  const quote = quoteBuy(token.params, token.state, payAtoms);
  if (!quote.ok) {
    if (quote.reason === "sold_out")
      throw new UserError(
        "sold_out",
        `The ${token.symbol} curve is sold out: it holds no tokens to sell. Buy from a holder, or wait for sells to refill it.`,
      );
    if (quote.reason === "exceeds_supply") {
      const most = maxBuy(token.params, token.state);
      throw new UserError(
        "exceeds_supply",
        `${formatMoney(payAtoms, clones)} would buy ${formatMoney(quote.tokensOut, tokenInfo)}, but the curve holds only ${formatMoney(token.state.realTokens, tokenInfo)}. At most ${formatMoney(most, clones)} still buys: /dataset buy symbol:${token.symbol} amount:${decimalString(most, clones)}.`,
        { maxPayAtoms: most.toString() },
      );
    }
    throw new UserError(
      "amount_too_small",
      `${formatMoney(payAtoms, clones)} is too little to buy a single unit of ${token.symbol} after the fee; pay more.`,
    );
  }
  if (minOut !== undefined && quote.tokensOut < minOut)
    throw new UserError(
      "below_min_out",
      `This buy would give ${formatMoney(quote.tokensOut, tokenInfo)}, below your min_out of ${formatMoney(minOut, tokenInfo)}; nothing was bought. Lower min_out or pay more.`,
      { tokensOutAtoms: quote.tokensOut.toString() },
    );
  return quote;
}

/** The sell quote, or the refusal that says what would work (what the curve can buy back). */
export function checkedSell(
  token: DatasetTokenRow,
  tokensIn: bigint,
  clones: TokenInfo,
  minOut?: bigint,
): Extract<SellQuote, { ok: true }> {
  const tokenInfo = datasetTokenInfo(token.symbol);
  if (tokensIn <= 0n)
    throw new UserError("invalid_amount", `Sell an amount of ${token.symbol} above zero, e.g. amount:1000.`);
  const quote = quoteSell(token.params, token.state, tokensIn);
  if (!quote.ok) {
    if (quote.reason === "exceeds_sold")
      throw new UserError(
        "exceeds_sold",
        quote.buyBackLimit === 0n
          ? `The ${token.symbol} curve has sold nothing yet, so it buys nothing back.`
          : `The ${token.symbol} curve buys back only what it has sold: at most ${formatMoney(quote.buyBackLimit, tokenInfo)} now.`,
        { buyBackLimitAtoms: quote.buyBackLimit.toString() },
      );
    throw new UserError(
      "amount_too_small",
      `${formatMoney(tokensIn, tokenInfo)} is too little to get any CLONES back after the fee; sell more.`,
    );
  }
  if (minOut !== undefined && quote.proceedsAtoms < minOut)
    throw new UserError(
      "below_min_out",
      `This sell would give ${formatMoney(quote.proceedsAtoms, clones)}, below your min_out of ${formatMoney(minOut, clones)}; nothing was sold. Lower min_out or sell more.`,
      { proceedsAtoms: quote.proceedsAtoms.toString() },
    );
  return quote;
}
