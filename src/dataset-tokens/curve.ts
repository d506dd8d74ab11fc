// The bonding curve of a dataset token (docs/economy.md sections 10.2 and 10.3), as pure bigint
// functions. Every amount is an atom; every rounding is the one 10.3 names and is in the curve's
// favour, so C x T never decreases, C never falls below C0 and no round trip makes a profit.
// Nothing here reads the database: the service (trades.ts) locks the curve's row, calls these and
// writes the result, so the same trades in the same order always give the same state.

/** What never changes after launch. */
export interface CurveParams {
  /** S: the fixed supply, in token atoms. */
  readonly supplyAtoms: bigint;
  /** A = S x t / 10,000: the creator's (or bundle's) allocation. */
  readonly allocationAtoms: bigint;
  /** R0 = S - A: what the curve had to sell at launch. */
  readonly initialRealTokens: bigint;
  /** C0: the virtual CLONES reserve at launch. */
  readonly initialClones: bigint;
  /** The volume fee in basis points (25 = 0.25%). */
  readonly feeBps: bigint;
}

/** What trades move. */
export interface CurveState {
  /** C: the virtual CLONES reserve (C - C0 is what the curve really holds). */
  readonly clones: bigint;
  /** T: the virtual token reserve. */
  readonly tokens: bigint;
  /** R: the tokens the curve still holds. */
  readonly realTokens: bigint;
}

export const BPS = 10_000n;

/** ceil(a / b) for a >= 0, b > 0. */
export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** The volume fee on `amount`: ceil(amount x bps / 10,000) (10.3). */
export const volumeFee = (amountAtoms: bigint, feeBps: bigint): bigint => ceilDiv(amountAtoms * feeBps, BPS);

/** T0 = R0 x 5/4, rounded down; with S = 10^15 and t a whole number of bps it is exact. */
export const initialTokens = (params: Pick<CurveParams, "initialRealTokens">): bigint =>
  (params.initialRealTokens * 5n) / 4n;

/** A launch's fixed figures and starting state (10.2). */
export function launchCurve(input: {
  supplyAtoms: bigint;
  thresholdBps: bigint;
  initialClones: bigint;
  feeBps: bigint;
}): { params: CurveParams; state: CurveState } {
  const { supplyAtoms, thresholdBps, initialClones, feeBps } = input;
  const allocationAtoms = (supplyAtoms * thresholdBps) / BPS;
  const initialRealTokens = supplyAtoms - allocationAtoms;
  const tokens = initialTokens({ initialRealTokens });
  return {
    params: { supplyAtoms, allocationAtoms, initialRealTokens, initialClones, feeBps },
    state: { clones: initialClones, tokens, realTokens: initialRealTokens },
  };
}

export type BuyQuote =
  | {
      ok: true;
      payAtoms: bigint;
      feeAtoms: bigint;
      /** n = p - f: the CLONES that go into the curve. */
      intoCurveAtoms: bigint;
      /** q: the tokens the buyer receives. */
      tokensOut: bigint;
      after: CurveState;
    }
  | { ok: false; reason: "too_small" | "exceeds_supply" | "sold_out"; feeAtoms: bigint; tokensOut: bigint };

/** What buying with `payAtoms` CLONES gives now (10.3); refused when q = 0 or q > R. */
export function quoteBuy(params: CurveParams, state: CurveState, payAtoms: bigint): BuyQuote {
  if (state.realTokens === 0n) return { ok: false, reason: "sold_out", feeAtoms: 0n, tokensOut: 0n };
  const feeAtoms = volumeFee(payAtoms, params.feeBps);
  const intoCurveAtoms = payAtoms - feeAtoms;
  if (intoCurveAtoms <= 0n) return { ok: false, reason: "too_small", feeAtoms, tokensOut: 0n };
  const clones = state.clones + intoCurveAtoms;
  const tokens = ceilDiv(state.clones * state.tokens, clones);
  const tokensOut = state.tokens - tokens;
  if (tokensOut === 0n) return { ok: false, reason: "too_small", feeAtoms, tokensOut };
  if (tokensOut > state.realTokens) return { ok: false, reason: "exceeds_supply", feeAtoms, tokensOut };
  return {
    ok: true,
    payAtoms,
    feeAtoms,
    intoCurveAtoms,
    tokensOut,
    after: { clones, tokens, realTokens: state.realTokens - tokensOut },
  };
}

/**
 * The most CLONES a buy may pay now without asking for more tokens than the curve holds (the
 * answer to an `exceeds_supply` refusal), or 0 when it is sold out. q grows with p, so a binary
 * search finds the largest p with q(p) <= R.
 */
export function maxBuy(params: CurveParams, state: CurveState): bigint {
  if (state.realTokens === 0n) return 0n;
  const fits = (p: bigint) => {
    const q = quoteBuy(params, state, p);
    return q.ok || q.reason === "too_small";
  };
  // Buying all R needs C' = ceil-ish C x T / (T - R); a p well above that surely asks too much.
  let high =
    ((state.clones * state.tokens) / (state.tokens - state.realTokens) - state.clones + 1n) * 2n + 10n;
  let low = 0n;
  while (fits(high)) high *= 2n;
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}

export type SellQuote =
  | {
      ok: true;
      tokensIn: bigint;
      /** g = C - C': what leaves the curve. */
      outOfCurveAtoms: bigint;
      feeAtoms: bigint;
      /** g - f: what the seller receives. */
      proceedsAtoms: bigint;
      after: CurveState;
    }
  | {
      ok: false;
      reason: "too_small" | "exceeds_sold";
      /** R0 - R: the most the curve buys back now. */
      buyBackLimit: bigint;
      proceedsAtoms: bigint;
    };

/** What selling `tokensIn` gives now (10.3); refused beyond R0 - R and when g - f = 0. */
export function quoteSell(params: CurveParams, state: CurveState, tokensIn: bigint): SellQuote {
  const buyBackLimit = params.initialRealTokens - state.realTokens;
  if (tokensIn > buyBackLimit) return { ok: false, reason: "exceeds_sold", buyBackLimit, proceedsAtoms: 0n };
  if (tokensIn <= 0n) return { ok: false, reason: "too_small", buyBackLimit, proceedsAtoms: 0n };
  const tokens = state.tokens + tokensIn;
  const clones = ceilDiv(state.clones * state.tokens, tokens);
  const outOfCurveAtoms = state.clones - clones;
  const feeAtoms = volumeFee(outOfCurveAtoms, params.feeBps);
  const proceedsAtoms = outOfCurveAtoms - feeAtoms;
  if (proceedsAtoms <= 0n) return { ok: false, reason: "too_small", buyBackLimit, proceedsAtoms: 0n };
  return {
    ok: true,
    tokensIn,
    outOfCurveAtoms,
    feeAtoms,
    proceedsAtoms,
    after: { clones, tokens, realTokens: state.realTokens + tokensIn },
  };
}

/** CLONES the curve really holds: C - C0. */
export const curveReserve = (params: CurveParams, state: CurveState): bigint =>
  state.clones - params.initialClones;

/** The market cap in CLONES atoms: price x (S - burned) = C x (S - burned) / T, rounded down. */
export const marketCap = (params: CurveParams, state: CurveState, burnedAtoms: bigint): bigint =>
  (state.clones * (params.supplyAtoms - burnedAtoms)) / state.tokens;
