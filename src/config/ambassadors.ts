// Ambassadors (src/economy/ambassadors: staking.ts, referrals.ts): docs/economy.md section 6.
import { z } from "zod";
import { httpUrl, optional, type SliceConfig } from "./settings.ts";

export const ambassadorsSettings = {
  /** Days unstaked CLONES cool down (still counting for the tier) before they return; 0 returns them at once. */
  UNSTAKE_COOLDOWN_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /** The CLONES supply, in whole tokens: tier N needs a stake of N x 0.1% of it. */
  CLONES_SUPPLY: z
    .string()
    .trim()
    .default("1000000000")
    .refine((raw) => /^[1-9][0-9_,]{0,30}$/.test(raw), {
      message: "expected a whole number of CLONES, e.g. 1000000000",
    })
    .transform((raw) => BigInt(raw.replace(/[_,]/g, ""))),
  /** New referrals one ambassador may record per UTC day. */
  REFERRAL_DAILY_CAP: z.coerce.number().int().min(1).max(100000).default(25),
  /** Where a Discord or console referral link points, e.g. https://example.org/join (the code is appended as ?ref=). */
  REFERRAL_LINK_BASE: optional(httpUrl),
  /** The Telegram bot's username (without @), for t.me referral deep links. */
  TELEGRAM_BOT_USERNAME: optional(
    z
      .string()
      .trim()
      .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, "expected a bot username like forge_bot")
      .transform((name) => name.replace(/^@/, "")),
  ),
};

export type AmbassadorsConfig = SliceConfig<typeof ambassadorsSettings>;
