// The bot as a whole: its log level, moderators, name, the tokens its ledger knows, and how long
// a /link code and a Confirm button stay valid (src/identity, src/core, src/ledger).
import { z } from "zod";
import { durationSeconds, platformIdList, type SliceConfig } from "./settings.ts";

export const botSettings = {
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MODERATORS: platformIdList,
  /** How long a /link code stays valid. */
  LINK_CODE_TTL_SECONDS: durationSeconds(600),
  /** How long a Confirm button stays valid after the preview. */
  CONFIRMATION_TTL_SECONDS: durationSeconds(900),
  /** Extra tokens, `SYMBOL:decimals[:mint]` separated by commas, beside USDC, SOL, CLONES, VIRAL and ETH. */
  EXTRA_TOKENS: z
    .string()
    .default("")
    .transform((raw, ctx) => {
      const tokens: Array<{ symbol: string; decimals: number; mint?: string }> = [];
      for (const item of raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [symbol = "", decimals = "", mint] = item.split(":");
        if (!/^[A-Z][A-Z0-9]{1,11}$/.test(symbol) || !/^\d{1,2}$/.test(decimals) || Number(decimals) > 30) {
          ctx.addIssue({
            code: "custom",
            message: `expected SYMBOL:decimals[:mint] items (symbol 2-12 capitals or digits, decimals 0-30); "${item}" is not one`,
          });
          return z.NEVER;
        }
        tokens.push({ symbol, decimals: Number(decimals), ...(mint ? { mint } : {}) });
      }
      return tokens;
    }),
  /** The bot's name, as the wallet-link message names it. */
  BOT_NAME: z.string().trim().min(1).max(64).default("Forgebot"),
};

export type BotConfig = SliceConfig<typeof botSettings>;
