// Which quality agent grades: the external one when GRADER_URL is set (with its fallback), else the
// built-in rubric.
import type { GradingConfig } from "../config/grading.ts";
import type { Logger } from "../log.ts";
import { ExternalGrader } from "./external.ts";
import { RubricGrader } from "./rubric.ts";
import type { Grader } from "./types.ts";

export type GraderSettings = Pick<
  GradingConfig,
  "GRADER_URL" | "GRADER_TIMEOUT_MS" | "GRADER_FALLBACK" | "GRADER_TOKEN"
>;

export function createGrader(config: GraderSettings, log: Logger): Grader {
  if (!config.GRADER_URL) return new RubricGrader();
  return new ExternalGrader({
    url: config.GRADER_URL,
    timeoutMs: config.GRADER_TIMEOUT_MS,
    fallback: config.GRADER_FALLBACK,
    ...(config.GRADER_TOKEN ? { token: config.GRADER_TOKEN } : {}),
    log: log.child({ area: "grading" }),
  });
}
