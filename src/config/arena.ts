// The arena (src/arena): the staking game's daily emission and its parameters.
import { z } from "zod";
import { decimalSetting, type SliceConfig } from "./settings.ts";

export const arenaSettings = {
  /** The token staked in the arena and paid as its rewards. */
  ARENA_TOKEN: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][A-Z0-9]{1,11}$/, "expected a token symbol such as CLONES")
    .default("CLONES"),
  /** E: what each epoch shares, in ARENA_TOKEN (e.g. 309157.68); 0 pays nothing. */
  ARENA_EMISSION: decimalSetting("0", { min: "0" }),
  /** gamma: the fixed part of the node/validator split, 0 to 0.5. */
  ARENA_GAMMA: decimalSetting("0", { min: "0", max: "0.5" }),
  /** alpha: the influence of stake on a share (t^alpha), above 0, at most 4. */
  ARENA_ALPHA: decimalSetting("1", { min: "0", max: "4", exclusiveMin: true }),
  /** eps: how much of delegated stake counts in the effective stake, 0 to 1. */
  ARENA_EPSILON: decimalSetting("1", { min: "0", max: "1" }),
  /** r: the rank ratio of rank mode (g = r^(rank - 1)), above 0, at most 1. */
  ARENA_RANK_RATIO: decimalSetting("0.8", { min: "0", max: "1", exclusiveMin: true }),
  /** rank (g from the rank by consensus score) or score (g is the consensus score itself). */
  ARENA_SCORE_MODE: z.enum(["rank", "score"]).default("rank"),
};

export type ArenaConfig = SliceConfig<typeof arenaSettings>;
