// Job timeouts on both databases: a run whose step never answers is stopped at its timeout and
// recorded as failed ("timed out after N s"), and the retry completes the period with the totals of
// an uninterrupted run, paying nothing twice, even when the hung step answers at last and the
// stopped attempt carries on. A job that listens to its signal stops there instead. The timeout is
// measured on the services' clock, which the tests move once the step hangs: no race with time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock, MINUTE } from "#src/core/clock.ts";
import { Scheduler, SchedulerConfigError } from "#src/epochs/scheduler.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";
import type { JobSpec } from "#src/job-kit.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { PAY_CODE, PAYING_JOB, payingJob, periodTotal, RECIPIENTS } from "./fixtures/paying-job.ts";
import { expectedPayments, paidFor } from "./fixtures/payments.ts";

const TIMEOUT = 5 * MINUTE;

/** A step that never answers until told to: resolves `reached` when entered. */
function hangingStep() {
  let reached: () => void = () => {};
  const entered = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let answer: () => void = () => {};
  const answered = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const hang = () => {
    reached();
    return answered;
  };
  return { entered, answer, hang };
}

/** A call that takes the signal, as fetch does: it never answers, but gives up when aborted. */
function abortableStep() {
  let reached: () => void = () => {};
  const entered = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let reason: unknown;
  const hang = (signal: AbortSignal | undefined) =>
    new Promise<void>((_, reject) => {
      reached();
      signal?.addEventListener("abort", () => {
        reason = signal.reason;
        reject(signal.reason);
      });
    });
  return { entered, hang, reason: () => reason };
}

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(`job timeouts [${kind}]`, () => {
    let test: TestApp;
    const clock = new ManualClock("2026-03-01T06:00:00Z");
    beforeAll(async () => {
      test = await createTestApp(kind, { clock, poolSize: 8 });
    });
    afterAll(async () => {
      await test?.close();
    });
    const scheduler = (jobs: JobSpec[], options: ConstructorParameters<typeof Scheduler>[2] = {}) =>
      new Scheduler(test.app.services, jobs, { leaseMs: 300, ...options });

    it("stops a hung run at its timeout and retries it without paying anything twice", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const period = "2026-02-28";
      const step = hangingStep();
      let lateSummary: (summary: string) => void = () => {};
      const carriedOn = new Promise<string>((resolve) => {
        lateSummary = resolve;
      });
      // An RPC call that never answers, in a job that does not listen to its signal.
      const stuck = payingJob({ hangAfter: 17, hang: step.hang, ignoreSignal: true, onReturn: lateSummary });
      const first = scheduler([stuck], { owner: "stuck", timeoutsMs: { [PAYING_JOB]: TIMEOUT } });
      const running = first.tick(PAYING_JOB);
      await step.entered;
      expect(stuck.paidHere).toBe(17);

      // Past the timeout the run is no longer awaited: it fails, with the reason and a timeout count.
      clock.advance(TIMEOUT);
      const reports = await running;
      expect(
        reports.map((r) => [
          r.period.key,
          r.outcome,
          r.run.status,
          r.run.attempts,
          r.run.timeouts,
          r.run.error,
        ]),
      ).toEqual([[period, "failed", "failed", 1, 1, "timed out after 300 s"]]);
      const failed = await first.runs.get(PAYING_JOB, period);
      expect(failed).toMatchObject({
        status: "failed",
        owner: "stuck",
        timeouts: 1,
        error: "timed out after 300 s",
      });
      // Its heartbeat stopped: nothing renews the failed row any more.
      expect(await first.runs.heartbeat(failed!.id, "stuck", clock.now())).toBe(false);
      expect((await paidFor(test.app.db, period)).filter((a) => a > 0n)).toHaveLength(17);

      // The next tick (another process here) retries it: attempt 2 pays only the 23 left.
      clock.advance(MINUTE);
      const healthy = payingJob();
      const retried = await scheduler([healthy], { owner: "heir" }).tick(PAYING_JOB);
      expect(
        retried.map((r) => [r.period.key, r.outcome, r.run.status, r.run.attempts, r.run.timeouts]),
      ).toEqual([[period, "resumed", "done", 2, 1]]);
      expect(retried[0]?.run.summary).toBe(
        `${RECIPIENTS} recipients paid for ${period} (${RECIPIENTS - 17} new payments).`,
      );
      expect(await paidFor(test.app.db, period)).toEqual(expectedPayments);

      // The hung call answers at last and the stopped attempt carries on to the end: every payment
      // it tries now was made already, so its new payments stay the 17 before it hung (17 + 23 =
      // 40), and it cannot touch the finished run.
      step.answer();
      expect(await carriedOn).toBe(`${RECIPIENTS} recipients paid for ${period} (17 new payments).`);
      expect(stuck.paidHere).toBe(RECIPIENTS);
      expect(await paidFor(test.app.db, period)).toEqual(expectedPayments);
      expect(
        await test.app.db.prisma.transfer.count({
          where: { code: PAY_CODE, key: { startsWith: `${PAYING_JOB}:${period}:` } },
        }),
      ).toBe(RECIPIENTS);
      expect(await first.runs.get(PAYING_JOB, period)).toMatchObject({
        status: "done",
        owner: "heir",
        attempts: 2,
      });
      const audit = await auditLedger(test.app.db);
      expect(audit.problems).toEqual([]);
      expect(audit.tokens.find((t) => t.token === "USDC")?.outsideAtoms).toBe(periodTotal());
    });

    it("aborts the signal of a run that times out, so a job listening to it stops there", async () => {
      clock.set("2026-03-02T06:00:00Z");
      const period = "2026-03-01";
      const step = abortableStep();
      const listening = payingJob({ hangAfter: 5, hang: step.hang });
      const s = scheduler([listening], { owner: "listener", timeoutMs: TIMEOUT, maxAttempts: 2 });
      const running = s.tick(PAYING_JOB);
      await step.entered;
      clock.advance(TIMEOUT);
      const reports = await running;
      expect(reports.map((r) => [r.period.key, r.outcome, r.run.error, r.run.timeouts])).toEqual([
        [period, "failed", "timed out after 300 s", 1],
      ]);
      // The step saw the timeout as its signal's reason, and the job stopped: nothing after it ran.
      expect(step.reason()).toBeInstanceOf(JobTimeoutError);
      expect(listening.paidHere).toBe(5);
      expect((await paidFor(test.app.db, period)).filter((a) => a > 0n)).toHaveLength(5);

      // Timing out again on its retry, it runs out of attempts like any other failure.
      const retryStep = abortableStep();
      const retrying = scheduler([payingJob({ hangAfter: 0, hang: retryStep.hang })], {
        owner: "listener",
        timeoutMs: TIMEOUT,
        maxAttempts: 2,
      });
      const second = retrying.tick(PAYING_JOB);
      await retryStep.entered;
      clock.advance(TIMEOUT);
      expect((await second).map((r) => [r.period.key, r.outcome, r.run.attempts, r.run.timeouts])).toEqual([
        [period, "failed", 2, 2],
      ]);
      expect(await retrying.tick(PAYING_JOB)).toEqual([]);
      expect(await s.runs.get(PAYING_JOB, period)).toMatchObject({
        status: "failed",
        attempts: 2,
        timeouts: 2,
      });
    });
  });
}

describe("timeout settings", () => {
  it("takes a job's own timeout, a configured one over it, and the default for the rest", () => {
    const job = (name: string, defaultTimeoutSeconds?: number): JobSpec => ({
      name,
      description: name,
      defaultSchedule: "* * * * *",
      ...(defaultTimeoutSeconds === undefined ? {} : { defaultTimeoutSeconds }),
      run: async () => ({ summary: "" }),
    });
    const s = new Scheduler({ db: {} } as never, [job("own", 2), job("configured", 3), job("plain")], {
      timeoutMs: 1_000,
      timeoutsMs: { configured: 4_000 },
    });
    expect(s.jobs.map((j) => [j.spec.name, j.timeoutMs])).toEqual([
      ["own", 2_000],
      ["configured", 4_000],
      ["plain", 1_000],
    ]);
    expect(() => new Scheduler({ db: {} } as never, [job("own")], { timeoutsMs: { owm: 1 } })).toThrow(
      SchedulerConfigError,
    );
    expect(() => new Scheduler({ db: {} } as never, [job("own")], { timeoutsMs: { owm: 1 } })).toThrow(
      /JOB_TIMEOUTS names "owm", which is not a job; the jobs are own/,
    );
  });
});
