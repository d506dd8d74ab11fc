// Running the bot as a service (src/ops): the metrics endpoint's guard and where it listens, and
// how long a shutdown may take to finish the work under way.
import { z } from "zod";
import { durationSeconds, optional, type SliceConfig, secret } from "./settings.ts";

export const operationsSettings = {
  /**
   * GET /metrics on the bot's HTTP server needs `Authorization: Bearer <this>`. Without it (and
   * without METRICS_PORT) /metrics is not served at all.
   */
  METRICS_TOKEN: secret(
    optional(z.string().regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, "expected 16-256 characters without spaces")),
  ),
  /** A separate listener for /metrics only (e.g. 9464 on a private interface), with no token asked. */
  METRICS_PORT: optional(z.coerce.number().int().min(0).max(65535)),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * How long SIGTERM waits for the commands, gradings and job step under way before the process
   * exits anyway (what is left is picked up by another replica or after the restart).
   */
  SHUTDOWN_TIMEOUT_SECONDS: durationSeconds(25),
};

export type OperationsConfig = SliceConfig<typeof operationsSettings>;
