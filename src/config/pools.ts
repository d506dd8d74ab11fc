// Factories and pools (src/economy/pools): docs/economy.md sections 2, 3 and 5.
import { z } from "zod";
import { percent, type SliceConfig } from "./settings.ts";

const setupFee = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((text) => /^\d+(\.\d+)?\s+[A-Z0-9]{2,12}$/.test(text), {
      message: 'expected an amount and a token, e.g. "250 USDC" or "1 SOL"',
    });

export const poolsSettings = {
  /** The fee policy new pools get: clones (fee on rewards) or forge (fee on deposits). */
  FEE_POLICY: z.enum(["clones", "forge"]).default("clones"),
  /** clones: percent of each reward kept as platform fee. */
  CLONES_REWARD_FEE_PERCENT: percent("10"),
  /** forge: percent of each deposit kept as platform fee. */
  FORGE_DEPOSIT_FEE_PERCENT: percent("20"),
  /**
   * forge: the one-time setup fee of a `kind:web2` factory, "AMOUNT TOKEN"; taken out of the first
   * deposit when it is the pool's token (ViralMind's web2 case, $250).
   */
  FORGE_SETUP_FEE_WEB2: setupFee("250 USDC"),
  /** forge: the one-time setup fee of a `kind:web3` factory, charged separately (ViralMind's web3 case, 1 SOL). */
  FORGE_SETUP_FEE_WEB3: setupFee("1 SOL"),
  /**
   * Accepted recordings of one task a farmer is paid for in a factory whose creator set no limit
   * (frozen on the factory at creation; 0: no limit). Only accepted ones count (section 3).
   */
  LIMIT_PER_FARMER_TASK: z.coerce.number().int().min(0).max(1_000_000).default(1),
  /** Scores below this pay nothing (0-100). */
  QUALITY_THRESHOLD: z.coerce.number().int().min(0).max(100).default(50),
  /** How long a submission's reserved bid waits for its grade before it returns to the pool. */
  RESERVATION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(168),
  /** VIRAL a creator must have staked to open a factory paying in their own token. */
  OWN_TOKEN_MIN_VIRAL_STAKE: z
    .string()
    .trim()
    .default("1000")
    .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: "expected a VIRAL amount, e.g. 1000" }),
  /** How many demonstrations are graded at once in the background. */
  GRADING_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** CLONES burned per XP boost, and what it buys. */
  XP_BOOST_PRICE: z
    .string()
    .trim()
    .default("100")
    .refine((text) => /^\d+(\.\d+)?$/.test(text), { message: "expected a CLONES amount, e.g. 100" }),
  XP_BOOST_MULTIPLIER: z.coerce.number().min(1).max(10).default(2),
  XP_BOOST_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
};

export type PoolsConfig = SliceConfig<typeof poolsSettings>;
