// How often one member may run one command (src/core/rate-limits.ts): a default for every command,
// and stricter (or looser) limits for some, such as those that draw cards.
import { z } from "zod";
import type { SliceConfig } from "./settings.ts";

export interface RateRule {
  /** Runs allowed in a window; 0 means no limit. */
  points: number;
  seconds: number;
}

/** `leaderboard=3/10,profile=3/10`: a command (or "command subcommand") = runs / seconds. */
const RULE_ITEM = /^([a-z][a-z0-9_]*(?: [a-z][a-z0-9_]*){0,2})\s*=\s*(\d{1,4})\s*\/\s*(\d{1,5})$/;

export const rateLimitsSettings = {
  /** Runs of one command one member may make per window on Discord and Telegram; 0 turns limits off. */
  RATE_LIMIT_POINTS: z.coerce.number().int().min(0).max(10_000).default(5),
  /** The window, in seconds. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(10),
  /** Limits for some commands: `name=runs/seconds` separated by commas (the card commands by default). */
  RATE_LIMIT_COMMANDS: z
    .string()
    .default("leaderboard=3/10,profile=3/10,poolcard=3/10")
    .transform((raw, ctx) => {
      const rules: Record<string, RateRule> = {};
      for (const item of raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const match = RULE_ITEM.exec(item);
        if (!match || Number(match[3]) < 1) {
          ctx.addIssue({
            code: "custom",
            message: `expected command=runs/seconds items such as leaderboard=3/10 (seconds at least 1); "${item}" is not one`,
          });
          return z.NEVER;
        }
        rules[match[1]!] = { points: Number(match[2]), seconds: Number(match[3]) };
      }
      return rules;
    }),
};

export type RateLimitsConfig = SliceConfig<typeof rateLimitsSettings>;
