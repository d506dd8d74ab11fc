// Demonstrations and the quality agent (src/grading).
import { z } from "zod";
import { httpUrl, optional, type SliceConfig, secret } from "./settings.ts";

/**
 * The most DEMO_MAX_BYTES may be: the largest file Discord accepts from a boosted server. /submit
 * refuses anything above it before downloading, and anything above DEMO_MAX_BYTES from the size the
 * platform reports, also before downloading.
 */
export const DEMO_UPLOAD_CEILING_BYTES = 500 * 1024 * 1024;

export const gradingSettings = {
  /** The largest demonstration upload (meta.json, input_log.jsonl and the video, or their zip unpacked). */
  DEMO_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(DEMO_UPLOAD_CEILING_BYTES)
    .default(50 * 1024 * 1024),
  /** The largest input_log.jsonl. */
  DEMO_MAX_LOG_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 * 1024),
  /** An external quality agent (docs/grading.md, "An external grader"); unset: the built-in rubric grades. */
  GRADER_URL: optional(httpUrl),
  /** Sent to GRADER_URL as `Authorization: Bearer <token>`. */
  GRADER_TOKEN: secret(optional(z.string().trim().min(1))),
  /** How long the external grader may take to answer, in milliseconds. */
  GRADER_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** When the external grader fails (timeout, error, a malformed or out-of-range answer): rubric or manual. */
  GRADER_FALLBACK: z.enum(["rubric", "manual"]).default("rubric"),
};

export type GradingConfig = SliceConfig<typeof gradingSettings>;
