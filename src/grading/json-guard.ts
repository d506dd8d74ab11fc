// Uploaded JSON the rest of the bot could not survive, found in its text before it is parsed: arrays
// and objects nested deeper than any recording (JSON.stringify, Prisma and every recursive reader
// overflow the stack near a few thousand levels), and strings holding \u0000 (PostgreSQL's jsonb
// refuses it) or a lone surrogate (not Unicode; jsonb refuses it too). One pass over the text with a
// counter, no recursion, so a line nested a million deep costs no more than its length.
import { UserError } from "../core/errors.ts";

/** The recorder's deepest value is 7 levels; a real file never comes near this. */
export const MAX_JSON_DEPTH = 64;

export type JsonHazard = "too_deep" | "nul" | "lone_surrogate";

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
const HEX = /^[0-9a-fA-F]{4}$/;

/**
 * The first hazard in `text` (taken as JSON), "malformed" for text nested too deep whose brackets do
 * not even balance (noise, a cut line: the caller's "not valid JSON" says it better, and JSON.parse
 * must not be left to find out, which takes seconds on deep text), or undefined.
 */
export function findJsonHazard(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
): JsonHazard | "malformed" | undefined {
  let depth = 0;
  let tooDeep = false;
  let inString = false;
  // A high surrogate (typed or escaped) waiting for its low half.
  let awaitingLow = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (!inString) {
      if (ch === 0x22) inString = true;
      else if (ch === 0x5b || ch === 0x7b) {
        if (++depth > maxDepth) tooDeep = true;
      } else if (ch === 0x5d || ch === 0x7d) depth--;
      continue;
    }
    let unit = ch;
    if (ch === 0x22) {
      if (awaitingLow && !tooDeep) return "lone_surrogate";
      inString = false;
      awaitingLow = false;
      continue;
    }
    if (ch === 0x5c) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x75 && HEX.test(text.slice(i + 2, i + 6))) {
        unit = Number.parseInt(text.slice(i + 2, i + 6), 16);
        i += 5;
      } else {
        i++; // \" \\ \n ...: one escaped character, never a surrogate
        unit = 0x20;
      }
    }
    if (tooDeep) continue; // only the balance matters now
    if (unit === 0) return "nul";
    if (awaitingLow) {
      if (!isLow(unit)) return "lone_surrogate";
      awaitingLow = false;
    } else if (isHigh(unit)) awaitingLow = true;
    else if (isLow(unit)) return "lone_surrogate";
  }
  if (tooDeep) return depth === 0 && !inString ? "too_deep" : "malformed";
  // Text ending inside a string is cut short: JSON.parse says so better than we could.
  return undefined;
}

/**
 * JSON.parse for uploaded text, refusing a hazard with a UserError that names the file (and line) and
 * what to do; `code` is the caller's code for a bad file or line, so the refusal reads like its others.
 * Malformed text throws a SyntaxError, as JSON.parse would.
 */
export function parseUploadedJson(
  text: string,
  where: { file: string; line?: number; code: string },
): unknown {
  const hazard = findJsonHazard(text);
  if (hazard === "malformed") throw new SyntaxError(`${where.file} is not valid JSON`);
  if (hazard) throw hazardError(hazard, where);
  return JSON.parse(text);
}

function hazardError(hazard: JsonHazard, where: { file: string; line?: number; code: string }): UserError {
  const place = where.line === undefined ? where.file : `${where.file} line ${where.line}`;
  const what =
    hazard === "too_deep"
      ? `is nested more than ${MAX_JSON_DEPTH} levels deep`
      : hazard === "nul"
        ? "holds a NUL character (\\u0000)"
        : "holds a broken character (a lone UTF-16 surrogate)";
  return new UserError(
    where.code,
    `${place} ${what}, which no recording does. Upload the files the recorder wrote, unchanged.`,
    { ...(where.line === undefined ? {} : { line: where.line }), hazard },
  );
}
