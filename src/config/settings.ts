// The kinds of setting the domain slices are made of: how a value is written in the environment
// and what a bad one is told. Each slice (src/config/*.ts) declares its settings with these.
import { Decimal } from "decimal.js";
import { z } from "zod";

export const PLATFORMS = ["discord", "telegram", "console"] as const;
export type Platform = (typeof PLATFORMS)[number];

/**
 * A secret setting (a token, a key, a URL that is itself a credential): its value is censored in
 * every log line and never echoed in a configuration error. Only settings wrapped in this are
 * secret; the name decides nothing (ARENA_TOKEN is a token symbol, shown like any setting).
 */
export const secret = <T extends z.ZodType>(schema: T): T => schema.meta({ secret: true });

/** An optional setting: unset and empty (`NAME=` in .env) both mean "not set". */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    schema.optional(),
  );

/** An http:// or https:// URL without spaces (an RPC node, a grader, a referral link). */
export const httpUrl = z
  .string()
  .trim()
  .refine((url) => /^https?:\/\/[^\s]+$/i.test(url), {
    message: "expected an http:// or https:// URL",
  });

/** An API's base URL with a default, for a proxy; trailing slashes are dropped. */
export const apiBaseUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((url) => /^https?:\/\/[^\s/]+/i.test(url), { message: "expected an http:// or https:// URL" })
    .transform((url) => url.replace(/\/+$/, ""));

export const durationSeconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A percentage 0..100 as an exact decimal string. */
export const percent = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((text) => /^\d+(\.\d+)?$/.test(text) && Number(text) <= 100, {
      message: "expected a percentage from 0 to 100, e.g. 10 or 2.5",
    });

/** A plain decimal (digits, one point) within bounds, kept as text so no float ever holds it. */
export const decimalSetting = (
  fallback: string,
  bounds: { min?: string; max?: string; exclusiveMin?: boolean },
) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: "expected a decimal number such as 0.5" })
    .refine(
      (text) => {
        if (!/^\d+(\.\d+)?$/.test(text)) return true; // reported by the check above
        const value = new Decimal(text);
        if (bounds.min !== undefined && (bounds.exclusiveMin ? value.lte(bounds.min) : value.lt(bounds.min)))
          return false;
        return bounds.max === undefined || value.lte(bounds.max);
      },
      {
        message: `expected a number ${bounds.exclusiveMin ? "above" : "from"} ${bounds.min ?? "0"}${bounds.max === undefined ? "" : ` to ${bounds.max}`}`,
      },
    );

/** `platform:id` pairs, e.g. `discord:81234,telegram:5551234,console:alice`. */
export const platformIdList = z
  .string()
  .default("")
  .transform((raw, ctx) => {
    const ids: Array<{ platform: Platform; id: string }> = [];
    for (const item of raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [platform, id] = item.split(":", 2) as [string, string | undefined];
      if (!PLATFORMS.includes(platform as Platform) || !id) {
        ctx.addIssue({
          code: "custom",
          message: `expected platform:id pairs separated by commas (platform is discord, telegram or console); "${item}" is not one`,
        });
        return z.NEVER;
      }
      ids.push({ platform: platform as Platform, id });
    }
    return ids;
  });

/** `platform:id` of a channel, e.g. `discord:1234567890123456789` or `telegram:-1001234567890`. */
export const channelRef = z
  .string()
  .trim()
  .regex(/^(discord|telegram|console):\S+$/, "expected platform:channelId, e.g. discord:1234567890123456789")
  .transform((text) => {
    const at = text.indexOf(":");
    return { platform: text.slice(0, at) as Platform, id: text.slice(at + 1) };
  });

/** What a slice's settings are once validated: the part of Config a service of that domain reads. */
export type SliceConfig<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>>;
