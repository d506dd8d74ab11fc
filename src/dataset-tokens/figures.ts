// Prices for people: C / T in CLONES per whole token, exact to 40 digits (decimal.js), never a float.
import { Decimal } from "decimal.js";
import { DATASET_TOKEN_DECIMALS } from "./accounts.ts";
import type { CurveState } from "./curve.ts";

const CLONES_DECIMALS = 9;
const Exact = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_DOWN });

/** The price in CLONES per token: (C / 10^9) / (T / 10^6). */
export function priceOf(state: Pick<CurveState, "clones" | "tokens">): Decimal {
  return new Exact(state.clones.toString())
    .div(state.tokens.toString())
    .mul(new Exact(10).pow(DATASET_TOKEN_DECIMALS - CLONES_DECIMALS));
}

/** A price as shown: 12 significant digits, no exponent ("0.0000242424242424"). */
export function priceText(price: Decimal): string {
  return price.toSignificantDigits(12, Decimal.ROUND_DOWN).toFixed();
}

/** The change from `before` to `after` in percent, to 2 places ("+12.34%"), or "n/a" without a before. */
export function changeText(before: Decimal | undefined, after: Decimal): string {
  if (!before || before.isZero()) return "n/a";
  const pct = after.minus(before).div(before).mul(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
  return `${pct.isNegative() ? "" : "+"}${pct.toFixed(2)}%`;
}
