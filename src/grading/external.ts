// An external quality agent (an LLM-based one, say) over HTTP. The contract, documented in
// docs/grading.md ("An external grader"):
//   POST GRADER_URL  {demonstration: {meta, summary, actions}, task}
//   200             {score: 0..100, summary: string, reasoning: string, breakdown?: {outcome, process, efficiency}}
// An answer that does not keep the contract is not trusted: a timeout, a network error, an HTTP
// error, a body that is not that JSON, or a score outside 0..100 hands the demonstration to the
// fallback (the built-in rubric, or people), and the reason is logged and kept with the grade.
import { z } from "zod";
import type { Logger } from "../log.ts";
import { gradeByRubric, WEIGHTS } from "./rubric.ts";
import type { Grade, GradeOutcome, Grader, GradingInput } from "./types.ts";

export type GraderFallback = "rubric" | "manual";

export interface ExternalGraderOptions {
  url: string;
  timeoutMs: number;
  fallback: GraderFallback;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  log: Logger;
}

/** An answer larger than this is not a grade. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const answerSchema = z.object({
  score: z.number(),
  summary: z.string().max(10_000),
  reasoning: z.string().max(100_000),
  breakdown: z
    .object({
      outcome: z.number().int().min(0).max(WEIGHTS.outcome),
      process: z.number().int().min(0).max(WEIGHTS.process),
      efficiency: z.number().int().min(0).max(WEIGHTS.efficiency),
    })
    .optional(),
});

/** Why the external answer was not used: logged, and told to whoever reads the grade. */
class Unusable extends Error {}

export class ExternalGrader implements Grader {
  constructor(private readonly options: ExternalGraderOptions) {}

  async grade(input: GradingInput): Promise<GradeOutcome> {
    try {
      return { kind: "graded", grade: await this.ask(input) };
    } catch (error) {
      if (!(error instanceof Unusable)) throw error;
      return this.fallBack(input, error.message);
    }
  }

  /** The request body, exactly as the contract has it. */
  static request(input: GradingInput) {
    return {
      demonstration: {
        meta: input.demonstration.meta,
        summary: input.processed.summary,
        actions: input.processed.actions,
      },
      task: input.task,
    };
  }

  private async ask(input: GradingInput): Promise<Grade> {
    const { url, timeoutMs, token } = this.options;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(ExternalGrader.request(input)),
        // Covers reading the body too: a server that sends headers and then stalls times out.
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await readCapped(response, MAX_ANSWER_BYTES);
    } catch (error) {
      if (error instanceof Unusable) throw error;
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError")
        throw new Unusable(`it did not answer within ${timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new Unusable(`it could not be reached${cause ? ` (${cause})` : ""}`);
    }
    if (!response.ok) throw new Unusable(`it answered HTTP ${response.status}`);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new Unusable("its answer is not JSON");
    }
    const parsed = answerSchema.safeParse(json);
    if (!parsed.success)
      throw new Unusable(
        `its answer does not keep the contract ({score, summary, reasoning}): ${parsed.error.issues
          .map((issue) => issue.path.join(".") || "(the answer)")
          .join(", ")}`,
      );
    const answer = parsed.data;
    if (!Number.isFinite(answer.score) || answer.score < 0 || answer.score > 100)
      throw new Unusable(`it gave a score of ${answer.score}, outside 0-100`);
    const score = Math.round(answer.score);
    const given = answer.breakdown;
    const breakdown =
      given && given.outcome + given.process + given.efficiency === score ? given : splitByWeights(score);
    return {
      score,
      breakdown,
      reasons: [
        answer.reasoning,
        ...(breakdown === given
          ? []
          : ["The external grader gave one score; it is split by the weights 60/30/10."]),
      ],
      flags: [],
      grader: "external",
      summary: answer.summary,
    };
  }

  private fallBack(input: GradingInput, why: string): GradeOutcome {
    const { fallback, log } = this.options;
    log.warn({ reason: why, fallback }, "external grader not used; falling back");
    if (fallback === "manual")
      return {
        kind: "manual_review",
        reason: `The external grader could not be used (${why}); a moderator will score this demonstration.`,
      };
    const grade = gradeByRubric(input);
    return {
      kind: "graded",
      grade: {
        ...grade,
        reasons: [
          `The external grader could not be used (${why}); the built-in rubric graded this.`,
          ...grade.reasons,
        ],
      },
    };
  }
}

/** The body as text, refused past `limit` bytes without reading the rest (a server may stream forever). */
async function readCapped(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (declared > limit) {
    await response.body?.cancel();
    throw new Unusable("its answer is larger than 1 MB");
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Unusable("its answer is larger than 1 MB");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A single score split over outcome/process/efficiency in proportion to their weights, each rounded
 * down and the points left over given to the largest remainders, so the parts sum to the score and
 * none exceeds its weight.
 */
export function splitByWeights(score: number): Grade["breakdown"] {
  const parts = (["outcome", "process", "efficiency"] as const).map((name) => {
    const exact = (score * WEIGHTS[name]) / 100;
    return { name, points: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = score - parts.reduce((sum, part) => sum + part.points, 0);
  for (const part of [...parts].sort((a, b) => b.remainder - a.remainder)) {
    if (left <= 0) break;
    part.points++;
    left--;
  }
  const by = Object.fromEntries(parts.map((part) => [part.name, part.points]));
  return { outcome: by.outcome!, process: by.process!, efficiency: by.efficiency! };
}
