// Leaderboards and cards (src/leaderboards).
import { z } from "zod";
import type { SliceConfig } from "./settings.ts";

export const leaderboardsSettings = {
  /** Graded demonstrations a farmer needs in a period to be ranked by average quality. */
  LEADERBOARD_MIN_QUALITY_COUNT: z.coerce.number().int().min(1).max(10_000).default(5),
  /** The token money boards use when none is given. */
  LEADERBOARD_DEFAULT_TOKEN: z.string().trim().min(1).default("USDC"),
  /** A scheduled post not marked sent this long after its attempt began is retried by any process. */
  LEADERBOARD_POST_LEASE_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
  /** Attempts per scheduled post (the first included) before it is recorded failed. */
  LEADERBOARD_POST_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** Send cards (PNG pictures) with leaderboards, profiles and pools; off: text replies only. */
  CARD_IMAGES: z
    .enum(["true", "false", "on", "off", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "on" || v === "1"),
};

export type LeaderboardsConfig = SliceConfig<typeof leaderboardsSettings>;
