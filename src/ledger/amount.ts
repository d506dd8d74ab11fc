// Human amounts <-> integer atoms. The rules (also in docs/console.md, "Amounts"):
// - digits with an optional decimal point: 12, 12.5, 0.2, .5
// - commas only as thousands separators in the whole part: 1,000 and 1,000.5, never 1,00
// - scientific notation is allowed when the result is exact in the token's decimals: 1e3, 2.5e-3
// - no more decimal places than the token has (USDC 6): 0.1234567 USDC is refused, never rounded
// - not negative, at most MAX_AMOUNT_ATOMS; zero is for the caller to allow or refuse
import { UserError } from "#src/core/errors.ts";

export interface TokenInfo {
  readonly symbol: string;
  readonly decimals: number;
  readonly mint?: string | null;
}

/** 10^48 atoms: a trillion trillion of an 18-decimal token, far below NUMERIC(78,0)'s ceiling. */
export const MAX_AMOUNT_ATOMS = 10n ** 48n;
const MAX_EXPONENT = 60;

const PLAIN = /^(?<whole>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?<fraction>\d*))?$/;
const SCIENTIFIC = /^(?<mantissa>\d+(?:\.\d*)?|\.\d+)e(?<exponent>[+-]?\d+)$/i;

const invalid = (message: string, input: string) => new UserError("invalid_amount", message, { input });

/** The ceiling in words: "1e42 USDC", not a 43-digit number nobody can read. */
function tooLarge(text: string, token: TokenInfo): string {
  const wholeDigits = MAX_AMOUNT_ATOMS.toString().length - 1 - token.decimals;
  return `"${text}" is too large: amounts stop at 1e${wholeDigits} ${token.symbol}.`;
}

/** Parses a human amount of `token` into atoms (>= 0). Throws UserError("invalid_amount"). */
export function parseAmount(input: string, token: TokenInfo): bigint {
  const text = input.trim();
  const example = `write digits like 12.5 or 1,000`;
  if (text === "") throw invalid(`The amount is empty: ${example}.`, input);
  if (/^-/.test(text)) throw invalid(`Amounts must be positive; "${text}" is negative.`, input);
  const unsigned = text.replace(/^\+/, "");
  if (/^(nan|[+-]?inf(inity)?)$/i.test(unsigned))
    throw invalid(`"${text}" is not a number: ${example}.`, input);

  let digits: string; // the amount as an integer string...
  let scale: number; // ...divided by 10^scale
  const plain = PLAIN.exec(unsigned);
  const scientific = plain ? null : SCIENTIFIC.exec(unsigned);
  if (plain && (plain.groups?.whole !== undefined || plain.groups?.fraction)) {
    const whole = (plain.groups?.whole ?? "0").replace(/,/g, "");
    const fraction = plain.groups?.fraction ?? "";
    digits = whole + fraction;
    scale = fraction.length;
  } else if (scientific) {
    const mantissa = scientific.groups!.mantissa!;
    const exponent = Number(scientific.groups!.exponent);
    const [whole = "", fraction = ""] = mantissa.split(".");
    if (Math.abs(exponent) > MAX_EXPONENT) {
      throw invalid(
        exponent > 0
          ? tooLarge(text, token)
          : `"${text}" is smaller than one unit of ${token.symbol} (${token.decimals} decimal places).`,
        input,
      );
    }
    digits = (whole || "0") + fraction;
    scale = fraction.length - exponent;
  } else if (/,/.test(unsigned) && /^[\d,]+(\.\d*)?$/.test(unsigned)) {
    throw invalid(
      `Commas separate thousands, in groups of three: write 1,000 or 1000, not "${text}".`,
      input,
    );
  } else {
    throw invalid(`"${text}" is not an amount: ${example}.`, input);
  }

  const significant = digits.replace(/^0+(?=\d)/, "");
  let atoms: bigint;
  if (scale <= token.decimals) {
    atoms = BigInt(significant) * 10n ** BigInt(token.decimals - scale);
  } else {
    const excess = scale - token.decimals;
    const divisor = 10n ** BigInt(excess);
    const value = BigInt(significant);
    if (value % divisor !== 0n) {
      const places = scientific ? "more" : String(scale);
      throw invalid(
        `${token.symbol} has ${token.decimals} decimal places; "${text}" has ${places}. Round it to ${token.decimals}.`,
        input,
      );
    }
    atoms = value / divisor;
  }
  if (atoms > MAX_AMOUNT_ATOMS) {
    throw invalid(tooLarge(text, token), input);
  }
  return atoms;
}

/** Like parseAmount, and refuses zero. */
export function parsePositiveAmount(input: string, token: TokenInfo): bigint {
  const atoms = parseAmount(input, token);
  if (atoms === 0n) throw invalid(`The amount must be more than zero.`, input);
  return atoms;
}

/** 1234500000 atoms of a 6-decimal token -> "1,234.5" (or "1234.5" without grouping). */
export function formatAmount(atoms: bigint, token: Pick<TokenInfo, "decimals">, grouping = true): string {
  const negative = atoms < 0n;
  const abs = negative ? -atoms : atoms;
  const base = 10n ** BigInt(token.decimals);
  const whole = (abs / base).toString();
  const fraction =
    token.decimals > 0 ? (abs % base).toString().padStart(token.decimals, "0").replace(/0+$/, "") : "";
  const wholeText = grouping ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : whole;
  return `${negative ? "-" : ""}${wholeText}${fraction ? `.${fraction}` : ""}`;
}

/** "1,234.5 USDC" */
export const formatMoney = (atoms: bigint, token: TokenInfo): string =>
  `${formatAmount(atoms, token)} ${token.symbol}`;

/** The plain decimal string used in JSON output: "1234.5". */
export const decimalString = (atoms: bigint, token: Pick<TokenInfo, "decimals">): string =>
  formatAmount(atoms, token, false);
