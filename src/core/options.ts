// Turns the options an event carries (typed text from the console and Telegram, typed values from
// Discord) into the handler's arguments, checking each against its spec. Every refusal names the
// option and says what to write instead.
import { Decimal } from "decimal.js";
import type { TxClient } from "#src/db/database.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import { UserError } from "./errors.ts";
import { textProblem, textProblemAdvice } from "./safe-text.ts";
import type { Attachment, ChannelRef, OptionSpec, Options, UserRef } from "./spec.ts";

/** A file as a platform delivers it, before it is read. */
export interface RawAttachment {
  kind: "attachment";
  name: string;
  sizeBytes: number;
  contentType?: string;
  read(): Promise<Uint8Array>;
}

/** A member as a platform names them: a mention, an id, or a typed @name. */
export interface RawUser {
  kind: "user";
  platformUserId?: string;
  username?: string;
  displayName?: string;
}

export interface RawChannel {
  kind: "channel";
  id: string;
  name?: string;
}

export type RawOptionValue = string | number | boolean | RawAttachment | RawUser | RawChannel;

export interface OptionResolvers {
  tokens: TokenRegistry;
  db: TxClient;
  /** Finds the internal user a platform names; throws UserError("unknown_user") if there is none. */
  resolveUser(raw: RawUser | string): Promise<UserRef>;
  /** Reads a typed channel reference (console and Telegram), or refuses it. */
  resolveChannel(raw: RawChannel | string): Promise<ChannelRef>;
  /** The console's `file:PATH`: reads a local file as an attachment. */
  resolveAttachment(raw: RawAttachment | string): Promise<RawAttachment>;
}

const bad = (option: string, message: string) =>
  new UserError("invalid_option", `${option}: ${message}`, { option });

/** Integer options land in 32-bit columns (ids, counts, limits): nothing outside fits. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/** A free-text option without its own maxLength: longer than any message a platform carries. */
export const DEFAULT_MAX_TEXT_LENGTH = 4000;
/** Any other typed value (a number, an amount, a token, a member, a channel, a choice) is short. */
export const MAX_TYPED_VALUE_LENGTH = 200;

const TRUE = new Set(["true", "yes", "y", "1", "on"]);
const FALSE = new Set(["false", "no", "n", "0", "off"]);
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function exampleFor(name: string, spec: OptionSpec): string {
  switch (spec.type) {
    case "string":
      return spec.choices ? `${name}:${spec.choices[0]?.value}` : `${name}:"some text"`;
    case "integer":
      return `${name}:${spec.minValue ?? 1}`;
    case "decimal":
      return `${name}:${spec.minValue ?? "0.5"}`;
    case "boolean":
      return `${name}:yes`;
    case "amount":
      return `${name}:12.5`;
    case "token":
      return `${name}:USDC`;
    case "user":
      return `${name}:@alice`;
    case "attachment":
      return `${name}:file:./demo.zip`;
    case "channel":
      return `${name}:#general`;
  }
}

/** Parses and checks every option of `spec` from `raw`; unknown or missing ones are refused. */
export async function parseOptions(
  spec: Options | undefined,
  raw: Record<string, RawOptionValue>,
  resolvers: OptionResolvers,
): Promise<Record<string, unknown>> {
  const specs = spec ?? {};
  const known = Object.keys(specs);
  for (const name of Object.keys(raw)) {
    if (!(name in specs)) {
      throw new UserError(
        "unknown_option",
        known.length === 0
          ? `This command takes no options, and "${name}" is not one.`
          : `This command has no option "${name}". Its options: ${known.join(", ")}.`,
        { option: name },
      );
    }
  }
  const args: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(specs)) {
    const value = raw[name];
    if (value === undefined || value === "") {
      if (option.required) {
        throw new UserError(
          "missing_option",
          `The option ${name} is required (${option.description}), e.g. ${exampleFor(name, option)}.`,
          {
            option: name,
          },
        );
      }
      continue;
    }
    checkText(name, option, value);
    args[name] = await parseOne(name, option, value, resolvers);
  }
  return args;
}

/**
 * Refuses, before anything reads it, text no service should see: NUL or lone surrogates (PostgreSQL
 * cannot store them, platforms cannot send them) in a typed value or in a name a platform gives, and
 * absurd lengths (no value is echoed back or looked up at 70,000 characters).
 */
function checkText(name: string, spec: OptionSpec, value: RawOptionValue): void {
  const texts =
    typeof value === "string"
      ? [value]
      : typeof value === "object"
        ? Object.values(value).filter((field): field is string => typeof field === "string")
        : [];
  for (const text of texts) {
    const problem = textProblem(text);
    if (problem)
      throw new UserError("invalid_text", `${name}: ${textProblemAdvice(problem)}`, {
        option: name,
        problem,
      });
  }
  if (typeof value !== "string") return;
  const limit =
    spec.type === "string" && !spec.choices
      ? (spec.maxLength ?? DEFAULT_MAX_TEXT_LENGTH)
      : MAX_TYPED_VALUE_LENGTH;
  if (value.length > limit) throw bad(name, `write at most ${limit} characters (this is ${value.length}).`);
}

async function parseOne(
  name: string,
  spec: OptionSpec,
  value: RawOptionValue,
  r: OptionResolvers,
): Promise<unknown> {
  switch (spec.type) {
    case "string": {
      const text = String(value);
      if (spec.choices) {
        const choice = spec.choices.find(
          (c) =>
            c.value === text ||
            c.value.toLowerCase() === text.toLowerCase() ||
            c.name.toLowerCase() === text.toLowerCase(),
        );
        if (!choice)
          throw bad(
            name,
            `choose one of ${spec.choices.map((c) => c.value).join(", ")}; "${text}" is not one.`,
          );
        return choice.value;
      }
      if (spec.minLength !== undefined && text.length < spec.minLength)
        throw bad(name, `write at least ${spec.minLength} characters.`);
      if (spec.maxLength !== undefined && text.length > spec.maxLength)
        throw bad(name, `write at most ${spec.maxLength} characters (this is ${text.length}).`);
      return text;
    }
    case "integer": {
      // "#12" is how the bot prints a factory, a submission or a task: it is accepted as typed.
      const text = String(value)
        .trim()
        .replace(/^#(?=\d)/, "");
      if (!INTEGER.test(text))
        throw bad(name, `write a whole number like ${spec.minValue ?? 1}; "${text}" is not one.`);
      const number = Number(text);
      const min = Math.max(spec.minValue ?? INT32_MIN, INT32_MIN);
      const max = Math.min(spec.maxValue ?? INT32_MAX, INT32_MAX);
      if (number < min) throw bad(name, `the smallest allowed is ${min}.`);
      if (number > max) throw bad(name, `the largest allowed is ${max}.`);
      if (spec.choices && !spec.choices.some((c) => c.value === number)) {
        throw bad(name, `choose one of ${spec.choices.map((c) => c.value).join(", ")}.`);
      }
      return number;
    }
    case "decimal": {
      const text = String(value).trim();
      if (!DECIMAL.test(text) || text.length > 60)
        throw bad(name, `write a number like ${spec.minValue ?? "0.75"}; "${text}" is not one.`);
      const number = new Decimal(text);
      if (spec.minValue !== undefined && number.lessThan(spec.minValue))
        throw bad(name, `the smallest allowed is ${spec.minValue}.`);
      if (spec.maxValue !== undefined && number.greaterThan(spec.maxValue))
        throw bad(name, `the largest allowed is ${spec.maxValue}.`);
      return number;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      const text = String(value).trim().toLowerCase();
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      throw bad(name, `write yes or no; "${text}" is neither.`);
    }
    case "amount": {
      const text = String(value).trim();
      if (!/^[0-9.,eE+-]+$/.test(text) || /^[+-]?(nan|inf)/i.test(text)) {
        throw new UserError(
          "invalid_amount",
          `${name}: "${text}" is not an amount: write digits like 12.5 or 1,000.`,
          { option: name },
        );
      }
      return text;
    }
    case "token":
      return r.tokens.resolve(r.db, String(value));
    case "user":
      return r.resolveUser(typeof value === "object" && value.kind === "user" ? value : String(value));
    case "channel":
      return r.resolveChannel(typeof value === "object" && value.kind === "channel" ? value : String(value));
    case "attachment": {
      const file = await r.resolveAttachment(
        typeof value === "object" && value.kind === "attachment" ? value : String(value),
      );
      return limitAttachment(name, file, spec.maxBytes);
    }
  }
}

function limitAttachment(option: string, file: RawAttachment, maxBytes: number): Attachment {
  const tooLarge = (size: number) =>
    new UserError(
      "file_too_large",
      `${option}: ${file.name} is ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}. Send a smaller file.`,
      { option },
    );
  if (file.sizeBytes > maxBytes) throw tooLarge(file.sizeBytes);
  return {
    name: file.name,
    sizeBytes: file.sizeBytes,
    ...(file.contentType ? { contentType: file.contentType } : {}),
    async read() {
      const data = await file.read();
      if (data.byteLength > maxBytes) throw tooLarge(data.byteLength);
      return data;
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
