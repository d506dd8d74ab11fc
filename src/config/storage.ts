// Stored recordings and dataset packages (src/storage, src/datasets): docs/datasets.md.
import { z } from "zod";
import { httpUrl, optional, type SliceConfig, secret } from "./settings.ts";

export const storageSettings = {
  /** disk (files under STORAGE_DIR) or s3 (S3-compatible object storage, the S3_* settings). */
  STORAGE_BACKEND: z.enum(["disk", "s3"]).default("disk"),
  /** The disk store's directory, and where the S3 store spools uploads before sending them. */
  STORAGE_DIR: z.string().trim().min(1).default("./data/storage"),
  /** The S3 endpoint; unset: AWS S3 itself. MinIO, R2 and others give theirs. */
  S3_ENDPOINT: optional(httpUrl),
  S3_REGION: z.string().trim().min(1).default("us-east-1"),
  S3_BUCKET: optional(z.string().trim().min(3).max(63)),
  S3_ACCESS_KEY_ID: optional(z.string().trim().min(1)),
  S3_SECRET_ACCESS_KEY: secret(optional(z.string().trim().min(1))),
  /** Bucket in the path (https://host/bucket/key) rather than the host name: MinIO and most self-hosted servers. */
  S3_FORCE_PATH_STYLE: z
    .enum(["true", "false", "on", "off", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "on" || v === "1"),
  /** Prefix of every object key, e.g. forgebot/. */
  S3_PREFIX: z.string().default(""),
  /** The bot's public https URL (no trailing slash): download links point at its HTTP server. */
  PUBLIC_URL: optional(httpUrl.transform((url) => url.replace(/\/+$/, ""))),
  /** Signs download links (HMAC-SHA256) and derives farmers' pseudonyms; at least 32 characters. */
  DATASET_SECRET: secret(optional(z.string().min(32))),
  /** How long a download link works, in seconds. */
  DATASET_LINK_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .max(7 * 86_400)
    .default(3_600),
  /** Days an upload that was refused, expired or scored below the threshold keeps its files. */
  RECORDING_RETENTION_DAYS: z.coerce.number().int().min(0).max(3_650).default(30),
};

export type StorageConfig = SliceConfig<typeof storageSettings>;

/** Settings that only make sense together. */
export function storageProblems(config: StorageConfig): Array<[string, string]> {
  if (config.STORAGE_BACKEND !== "s3") return [];
  const problems: Array<[string, string]> = [];
  if (!config.S3_BUCKET) problems.push(["S3_BUCKET", "STORAGE_BACKEND=s3 needs the bucket's name"]);
  // On disk the secret is kept in STORAGE_DIR; machines sharing a bucket must share it.
  if (!config.DATASET_SECRET)
    problems.push(["DATASET_SECRET", "STORAGE_BACKEND=s3 needs it set, the same on every machine"]);
  return problems;
}
