// The external grader against a loopback HTTP server: it keeps the JSON contract both ways, and every
// way an answer can fail (too slow, not JSON, off-contract, out of range, HTTP error, nobody there)
// falls back to the rubric or to manual review as configured, with the reason logged.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "#src/config.ts";
import { recordDemonstration } from "#src/grading/digest.ts";
import { ExternalGrader, type GraderFallback, splitByWeights } from "#src/grading/external.ts";
import { createGrader } from "#src/grading/grader.ts";
import { parseDemonstration } from "#src/grading/parse.ts";
import { processDemonstration } from "#src/grading/process.ts";
import { gradeByRubric, RubricGrader } from "#src/grading/rubric.ts";
import type { GradingInput } from "#src/grading/types.ts";
import { createLogger } from "#src/log.ts";
import { type Answer, Loopback } from "#test/helpers/loopback.ts";
import { fixtureFiles } from "./fixture.ts";

const parsed = parseDemonstration(fixtureFiles());
const input: GradingInput = {
  demonstration: recordDemonstration(parsed),
  processed: processDemonstration(parsed.events, { platform: parsed.meta.platform }),
  task: {
    title: parsed.meta.quest.title,
    app: parsed.meta.quest.app,
    objectives: parsed.meta.quest.objectives,
  },
};
const rubric = gradeByRubric(input);
/** The slow server's timeout; the others get a generous one, so a loaded machine cannot fail them. */
const TIMEOUT_MS = 300;
const GENEROUS_MS = 20_000;

/** What each path of the server answers; "/slow" never answers until the server closes. */
const answers: Record<string, Answer> = {
  "/ok": { body: { score: 72.4, summary: "Shows typing, not the cart.", reasoning: "Little of the task." } },
  "/ok-breakdown": {
    body: {
      score: 50,
      summary: "s",
      reasoning: "r",
      breakdown: { outcome: 30, process: 15, efficiency: 5 },
    },
  },
  "/not-json": {
    body: Buffer.from("<html>502 Bad Gateway</html>"),
    headers: { "content-type": "text/html" },
  },
  "/off-contract": { body: { grade: 80, comment: "fine" } },
  "/too-high": { body: { score: 150, summary: "s", reasoning: "r" } },
  "/negative": { body: { score: -3, summary: "s", reasoning: "r" } },
  "/error": { status: 500, body: { error: "overloaded" } },
  "/huge": {
    body: Buffer.from(JSON.stringify({ score: 50, summary: "s", reasoning: "x".repeat(2 * 1024 * 1024) })),
    headers: { "content-type": "application/json" },
  },
};
let server: Loopback;
let releaseSlow: () => void;
const slow = new Promise<void>((resolve) => {
  releaseSlow = resolve;
});

beforeAll(async () => {
  server = await Loopback.start(async (request) => {
    if (request.path === "/slow") {
      await slow;
      return { body: { score: 99, summary: "late", reasoning: "late" } };
    }
    return answers[request.path] ?? { status: 404 };
  });
});
afterAll(async () => {
  releaseSlow();
  await server.close();
});

function capturedLog() {
  const lines: string[] = [];
  const log = createLogger(
    "warn",
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { log, lines };
}

function grader(path: string, fallback: GraderFallback = "rubric") {
  const { log, lines } = capturedLog();
  return {
    grader: new ExternalGrader({
      url: server.url + path,
      timeoutMs: TIMEOUT_MS,
      fallback,
      token: "t0ken-for-tests",
      log,
    }),
    lines,
  };
}

describe("an answer that keeps the contract", () => {
  it("is the grade: score rounded, split by the weights, with the request as documented", async () => {
    const mark = server.requests.length;
    const { grader: external, lines } = grader("/ok");
    const outcome = await external.grade(input);
    expect(outcome).toEqual({
      kind: "graded",
      grade: {
        score: 72,
        breakdown: { outcome: 43, process: 22, efficiency: 7 },
        reasons: [
          "Little of the task.",
          "The external grader gave one score; it is split by the weights 60/30/10.",
        ],
        flags: [],
        grader: "external",
        summary: "Shows typing, not the cart.",
      },
    });
    expect(lines).toEqual([]);
    const [request] = server.since(mark);
    expect(request!.method).toBe("POST");
    expect(request!.headers.authorization).toBe("Bearer t0ken-for-tests");
    expect(request!.body).toEqual(JSON.parse(JSON.stringify(ExternalGrader.request(input))));
    const body = request!.body as { demonstration: Record<string, unknown>; task: unknown };
    expect(Object.keys(body.demonstration).sort()).toEqual(["actions", "meta", "summary"]);
    expect(body.demonstration.summary).toEqual(input.processed.summary);
    expect((body.demonstration.actions as unknown[]).length).toBe(10);
    expect(body.task).toEqual(input.task);
  });

  it("keeps the grader's own breakdown when it sums to the score", async () => {
    const outcome = await grader("/ok-breakdown").grader.grade(input);
    expect(outcome).toMatchObject({
      kind: "graded",
      grade: { score: 50, breakdown: { outcome: 30, process: 15, efficiency: 5 }, reasons: ["r"] },
    });
  });

  it("splits any score by the weights without exceeding them", () => {
    for (let score = 0; score <= 100; score++) {
      const { outcome, process, efficiency } = splitByWeights(score);
      expect(outcome + process + efficiency).toBe(score);
      expect(outcome <= 60 && process <= 30 && efficiency <= 10).toBe(true);
    }
    expect(splitByWeights(99)).toEqual({ outcome: 59, process: 30, efficiency: 10 });
  });
});

describe("an answer that cannot be used falls back", () => {
  const failures: Array<[string, string]> = [
    ["/slow", `it did not answer within ${TIMEOUT_MS} ms`],
    ["/not-json", "its answer is not JSON"],
    [
      "/off-contract",
      "its answer does not keep the contract ({score, summary, reasoning}): score, summary, reasoning",
    ],
    ["/too-high", "it gave a score of 150, outside 0-100"],
    ["/negative", "it gave a score of -3, outside 0-100"],
    ["/error", "it answered HTTP 500"],
    ["/huge", "its answer is larger than 1 MB"],
  ];

  it.each(failures)("%s -> the rubric, with the reason first and logged", async (path, why) => {
    const { grader: external, lines } = grader(path, "rubric");
    const outcome = await external.grade(input);
    expect(outcome).toEqual({
      kind: "graded",
      grade: {
        ...rubric,
        reasons: [
          `The external grader could not be used (${why}); the built-in rubric graded this.`,
          ...rubric.reasons,
        ],
      },
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 40,
      reason: why,
      fallback: "rubric",
      msg: "external grader not used; falling back",
    });
  });

  it.each(failures)("%s -> manual review, with the reason logged", async (path, why) => {
    const { grader: external, lines } = grader(path, "manual");
    expect(await external.grade(input)).toEqual({
      kind: "manual_review",
      reason: `The external grader could not be used (${why}); a moderator will score this demonstration.`,
    });
    expect(JSON.parse(lines[0]!)).toMatchObject({ reason: why, fallback: "manual" });
  });

  it("nobody listening -> the fallback, naming the network error", async () => {
    const closed = await Loopback.start(() => ({}));
    const url = closed.url;
    await closed.close();
    const { log, lines } = capturedLog();
    const external = new ExternalGrader({ url, timeoutMs: GENEROUS_MS, fallback: "manual", log });
    expect(await external.grade(input)).toEqual({
      kind: "manual_review",
      reason:
        "The external grader could not be used (it could not be reached (ECONNREFUSED)); a moderator will score this demonstration.",
    });
    expect(lines).toHaveLength(1);
  });
});

describe("createGrader", () => {
  it("uses the rubric without GRADER_URL, the external grader with it", async () => {
    const { log } = capturedLog();
    expect(createGrader(loadConfig({}), log)).toBeInstanceOf(RubricGrader);
    const config = loadConfig({
      GRADER_URL: `${server.url}/too-high`,
      GRADER_TIMEOUT_MS: "20000",
      GRADER_FALLBACK: "manual",
    });
    expect(config).toMatchObject({ GRADER_TIMEOUT_MS: 20_000, GRADER_FALLBACK: "manual" });
    const configured = createGrader(config, log);
    expect(configured).toBeInstanceOf(ExternalGrader);
    expect(await configured.grade(input)).toMatchObject({ kind: "manual_review" });
    expect(() => loadConfig({ GRADER_FALLBACK: "coin-toss" })).toThrow(/GRADER_FALLBACK/);
    expect(() => loadConfig({ GRADER_URL: "ftp://grader" })).toThrow(/GRADER_URL: expected an http/);
  });
});
