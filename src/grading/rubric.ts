// The built-in quality agent: deterministic (the same recording always gets the same grade), judged
// only from the evidence in the log, with the CLONES agent's weights. Every point is explained.
//
//   outcome 60     the task's app in evidence (15) + objectives addressed (45: for each objective, the
//                  share of its keywords found in the apps, accessibility-tree text and typed text)
//   process 30     activity (15: share of the recording with input, gaps over 3 s being idle)
//                  + meaningful actions (10: one per 6 s of recording, at least 5, earns all)
//                  + coherent timeline (5: the log's span agrees with meta.json's duration (3), and no
//                  silence over a minute (2))
//   efficiency 10  pace (5: 10 s or more; less scales down) + directness (5: the share of the
//                  recording between the first action's start and the last action's end)
//
// Junk gets 0 with a flag: no actions ("empty"), unusable times ("corrupt"), timestamps going back
// further than the recorder's captures explain ("out_of_order", timeline.ts). "too_short" (under 5 s) and "idle" (over 80% idle) are flagged and cost points.
import { MINUTE } from "#src/core/clock.ts";
import { evidenced, gatherEvidence, keywords } from "./evidence.ts";
import type { Grade, GradeOutcome, Grader, GradingInput } from "./types.ts";

export const WEIGHTS = { outcome: 60, process: 30, efficiency: 10 } as const;
const TOO_SHORT_MS = 5000;
const IDLE_FLAG_SHARE = 0.8;
const LONG_SILENCE_MS = MINUTE;
const MS_PER_EXPECTED_ACTION = 6000;

export class RubricGrader implements Grader {
  async grade(input: GradingInput): Promise<GradeOutcome> {
    return { kind: "graded", grade: gradeByRubric(input) };
  }
}

/** Points out of `max`, rounded down; NaN and infinities give 0 (a grade is always an integer). */
function points(max: number, share: number): number {
  if (!Number.isFinite(share) || share <= 0) return 0;
  return Math.min(max, Math.floor(max * share + 1e-9));
}

export function gradeByRubric({ demonstration, processed, task }: GradingInput): Grade {
  const { digest, meta } = demonstration;
  const { actions, summary } = processed;
  const flags: string[] = [];
  const reasons: string[] = [];

  const { corrupt, outOfOrder } = digest;
  if (corrupt) flags.push("corrupt");
  if (outOfOrder) flags.push("out_of_order");
  if (actions.length === 0) flags.push("empty");
  const totalMs = Math.max(0, summary.totalMs);
  if (totalMs < TOO_SHORT_MS) flags.push("too_short");
  if (totalMs > 0 && summary.idleMs / totalMs > IDLE_FLAG_SHARE) flags.push("idle");

  if (corrupt || outOfOrder || actions.length === 0) {
    reasons.push(
      corrupt
        ? "The log holds events without a usable time: it cannot be judged."
        : outOfOrder
          ? "The log's timestamps go backwards: it has been edited or merged."
          : "The recording holds no actions (no clicks, drags, scrolls, typing or shortcuts).",
    );
    return {
      score: 0,
      breakdown: { outcome: 0, process: 0, efficiency: 0 },
      reasons,
      flags,
      grader: "rubric",
      summary: `0/100 from the built-in rubric: ${flags.filter((flag) => flag !== "too_short" && flag !== "idle").join(", ")}.`,
    };
  }

  // --- Outcome: is the task's work in evidence? ---
  const evidence = gatherEvidence(digest, actions);
  const appWords = keywords(task.app);
  const appSeen = appWords.length === 0 || appWords.some((word) => evidenced(word, evidence.words));
  // Objectives with words to look for; without any, the task's title stands in for them.
  const checkable = task.objectives.filter((objective) => keywords(objective).length > 0);
  const objectives = checkable.length > 0 ? checkable : [task.title];
  const coverage = objectives.map((objective) => {
    const words = keywords(objective);
    const found = words.filter((word) => evidenced(word, evidence.words));
    return { objective, share: words.length === 0 ? 0 : found.length / words.length };
  });
  const meanCoverage = coverage.reduce((sum, item) => sum + item.share, 0) / coverage.length;
  const outcome = (appSeen ? 15 : 0) + points(45, meanCoverage);
  const addressed = coverage.filter((item) => item.share >= 0.5).length;
  const shown = evidence.apps.length ? evidence.apps.join(", ") : "no app names";
  reasons.push(
    `Outcome ${outcome}/60: ${
      appWords.length === 0
        ? "the task names no app"
        : appSeen
          ? `${task.app} is in evidence`
          : `${task.app} never appears`
    } (the recording shows ${shown}); ${addressed} of ${objectives.length} objective${
      objectives.length === 1 ? "" : "s"
    } addressed, ${Math.round(meanCoverage * 100)}% of their keywords found on screen or in typed text.`,
  );

  // --- Process: meaningful actions against idle time, a coherent timeline. ---
  const activity = points(15, summary.activeMs / totalMs);
  const expectedActions = Math.max(5, Math.ceil(totalMs / MS_PER_EXPECTED_ACTION));
  const actionPoints = points(10, actions.length / expectedActions);
  const recordedMs = meta.durationSeconds * 1000;
  const durationAgrees = Math.abs(recordedMs - totalMs) <= Math.max(3000, 0.25 * recordedMs);
  const silence = digest.longestInputSilenceMs;
  const timeline = (durationAgrees ? 3 : 0) + (silence <= LONG_SILENCE_MS ? 2 : 0);
  const process = activity + actionPoints + timeline;
  reasons.push(
    `Process ${process}/30: active ${Math.round((summary.activeMs / totalMs) * 100)}% of the time (${activity}/15); ${
      actions.length
    } action${actions.length === 1 ? "" : "s"} for ${expectedActions} expected (${actionPoints}/10); timeline ${timeline}/5 (${
      durationAgrees
        ? "the log's length agrees with meta.json"
        : `the log spans ${Math.round(totalMs / 1000)} s but meta.json says ${meta.durationSeconds} s`
    }${silence > LONG_SILENCE_MS ? `; a silence of ${Math.round(silence / 1000)} s` : ""}).`,
  );

  // --- Efficiency: a real session, spent on the work. ---
  const pace = points(5, totalMs / 10_000);
  // Loops, not Math.min(...spread): a long recording has more actions than a call has arguments.
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const action of actions) {
    firstMs = Math.min(firstMs, action.atMs);
    lastMs = Math.max(lastMs, action.atMs + action.durationMs);
  }
  const directShare = (Math.min(lastMs, totalMs) - Math.max(0, firstMs)) / totalMs;
  const directness = points(5, directShare);
  const efficiency = pace + directness;
  reasons.push(
    `Efficiency ${efficiency}/10: ${Math.round(totalMs / 1000)} s recorded (${pace}/5); ${Math.round(
      Math.max(0, directShare) * 100,
    )}% of it between the first and the last action (${directness}/5).`,
  );
  if (flags.includes("too_short")) reasons.push("Flagged too_short: under 5 seconds of recording.");
  if (flags.includes("idle")) reasons.push("Flagged idle: more than 80% of the recording has no input.");

  const score = outcome + process + efficiency;
  return {
    score,
    breakdown: { outcome, process, efficiency },
    reasons,
    flags,
    grader: "rubric",
    summary: `${score}/100 from the built-in rubric: outcome ${outcome}/60, process ${process}/30, efficiency ${efficiency}/10.`,
  };
}
