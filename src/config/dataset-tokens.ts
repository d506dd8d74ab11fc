// Dataset tokens and bundles (src/dataset-tokens): docs/economy.md sections 10.2 to 10.6.
import { z } from "zod";
import { decimalSetting, percent, type SliceConfig } from "./settings.ts";

/** "500 CLONES, 0.05 SOL": amounts with their tokens, checked against the registry at start-up. */
const FEE_ITEM = /^\d+(\.\d+)?\s+[A-Z][A-Z0-9]{1,11}$/;

export const datasetTokensSettings = {
  /** Accepted demonstrations a factory needs before its creator may launch its token. */
  DATASET_MIN_DEMONSTRATIONS: z.coerce.number().int().min(1).max(1_000_000).default(10),
  /** The launch fee, paid to the protocol: amounts and tokens separated by commas; empty for none. */
  DATASET_LAUNCH_FEE: z
    .string()
    .trim()
    .default("500 CLONES, 0.05 SOL")
    .refine((text) => text === "" || text.split(",").every((item) => FEE_ITEM.test(item.trim())), {
      message: 'expected amounts and tokens separated by commas, e.g. "500 CLONES, 0.05 SOL"',
    })
    .transform((text) =>
      text === ""
        ? []
        : text.split(",").map((item) => {
            const [amount, token] = item.trim().split(/\s+/);
            return { amount: amount!, token: token! };
          }),
    ),
  /** C0: the virtual CLONES reserve a curve starts with, in whole CLONES. */
  DATASET_CURVE_CLONES: decimalSetting("30000", { min: "1", max: "1000000000" }),
  /** The volume fee on every trade, in basis points (25 = 0.25%), paid to the dataset's creator. */
  DATASET_VOLUME_FEE_BPS: z.coerce.number().int().min(0).max(1000).default(25),
  /** Days a bundle proposal is open for votes. */
  BUNDLE_VOTING_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** The share of the CLONES supply (percent) that must have voted for a proposal to pass. */
  BUNDLE_QUORUM: percent("1"),
};

export type DatasetTokensConfig = SliceConfig<typeof datasetTokensSettings>;
