// The scheduler in one process, on both databases: catch-up after downtime, resuming dead runs,
// retrying failed ones, the catch-up limit, and concurrent ticks that run a period once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, ManualClock } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { Scheduler, SchedulerConfigError } from "#src/epochs/scheduler.ts";
import { defineJob, type JobSpec } from "#src/job-kit.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

/** A daily job that records the periods it runs, in order, and can be told to fail. */
function recordingJob(name: string, options: { failFor?: Set<string> } = {}) {
  const seen: string[] = [];
  const job: JobSpec = defineJob({
    name,
    description: "Records its periods",
    defaultSchedule: "0 0 * * *",
    async run(ctx) {
      seen.push(ctx.period.key);
      if (options.failFor?.has(ctx.period.key)) throw new Error(`no data for ${ctx.period.key}`);
      return { summary: `ran ${ctx.period.key}`, data: { key: ctx.key } };
    },
  });
  return { job, seen };
}

const moderator: Actor = {
  userId: 1,
  displayName: "mod",
  isModerator: true,
  platform: "console",
  platformUserId: "mod",
};

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(`the scheduler [${kind}]`, () => {
    let test: TestApp;
    const clock = new ManualClock("2026-03-01T06:00:00Z");
    beforeAll(async () => {
      test = await createTestApp(kind, { clock, poolSize: 8 });
    });
    afterAll(async () => {
      await test?.close();
    });
    const scheduler = (jobs: JobSpec[], options: ConstructorParameters<typeof Scheduler>[2] = {}) =>
      new Scheduler(test.app.services, jobs, options);

    it("a bot down for three periods catches up three runs, in order, on start", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const { job, seen } = recordingJob("catch-up");
      const first = scheduler([job], { owner: "first" });
      await first.start();
      await first.stop();
      expect(seen).toEqual(["2026-02-28"]);

      // Down from 2026-03-01 06:00 to 2026-03-04 06:00: the periods of the 1st, 2nd and 3rd ended.
      clock.advance(3 * DAY);
      const second = scheduler([job], { owner: "second" });
      await second.start();
      await second.stop();
      expect(seen).toEqual(["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03"]);
      const runs = await test.app.db.prisma.jobRun.findMany({
        where: { job: "catch-up" },
        orderBy: { id: "asc" },
      });
      expect(runs.map((r) => [r.periodKey, r.status, r.owner, r.attempts])).toEqual([
        ["2026-02-28", "done", "first", 1],
        ["2026-03-01", "done", "second", 1],
        ["2026-03-02", "done", "second", 1],
        ["2026-03-03", "done", "second", 1],
      ]);
      expect(runs[3]?.data).toEqual({ key: "catch-up:2026-03-03" });

      // A tick with nothing new does nothing.
      expect(await second.tick("catch-up")).toEqual([]);
      expect(seen).toHaveLength(4);
    });

    it("runs only the most recent periods when more were missed than the catch-up limit", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const { job, seen } = recordingJob("limited");
      await scheduler([job]).tick("limited");
      clock.advance(10 * DAY);
      const reports = await scheduler([job], { maxCatchUp: 2 }).tick("limited");
      expect(reports.map((r) => [r.period.key, r.outcome])).toEqual([
        ["2026-03-09", "ran"],
        ["2026-03-10", "ran"],
      ]);
      expect(seen).toEqual(["2026-02-28", "2026-03-09", "2026-03-10"]);
    });

    it("leaves a run with a live owner alone and resumes one whose owner died", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const { job, seen } = recordingJob("resume");
      const runs = scheduler([job]).runs;
      const period = {
        key: "2026-02-28",
        start: new Date("2026-02-28T00:00:00Z"),
        end: new Date("2026-03-01T00:00:00Z"),
      };
      const policy = { owner: "dead", now: clock.now(), leaseMs: 60_000, maxAttempts: 5 };
      expect((await runs.claim("resume", period, policy)).claimed).toBe(true);

      clock.advance(30_000); // within the lease: the owner may be alive
      const early = await scheduler([job], { owner: "early" }).tick("resume");
      expect(early.map((r) => [r.period.key, r.outcome, r.reason])).toEqual([
        ["2026-02-28", "skipped", "running"],
      ]);
      expect(seen).toEqual([]);

      clock.advance(60_000); // the lease ran out without a heartbeat
      const later = await scheduler([job], { owner: "heir" }).tick("resume");
      expect(later.map((r) => [r.period.key, r.outcome, r.run.attempts, r.run.owner, r.run.status])).toEqual([
        ["2026-02-28", "resumed", 2, "heir", "done"],
      ]);
      expect(seen).toEqual(["2026-02-28"]);
      // The dead owner cannot finish it afterwards: the run is no longer theirs.
      expect(await runs.finish(later[0]!.run.id, "dead", clock.now(), { summary: "late" })).toBe(false);
    });

    it("keeps a long run alive with its heartbeat: nobody takes it over while its owner works", async () => {
      clock.set("2026-03-01T06:00:00Z");
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started: () => void = () => {};
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const slow = defineJob({
        name: "slow",
        description: "Works longer than the lease",
        defaultSchedule: "0 0 * * *",
        async run() {
          started();
          await released;
          return { summary: "finally" };
        },
      });
      const worker = scheduler([slow], { owner: "worker", leaseMs: 300 });
      const work = worker.tick("slow");
      await running;
      // Well past the lease by the clock; the worker's next heartbeat renews it.
      clock.advance(10_000);
      const renewed = clock.now().getTime();
      for (;;) {
        const row = await worker.runs.get("slow", "2026-02-28");
        if (row && row.heartbeatAt.getTime() >= renewed) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const other = await scheduler([slow], { owner: "other", leaseMs: 300 }).tick("slow");
      expect(other.map((r) => [r.outcome, r.reason])).toEqual([["skipped", "running"]]);
      release();
      expect((await work).map((r) => [r.outcome, r.run.owner, r.run.attempts, r.run.summary])).toEqual([
        ["ran", "worker", 1, "finally"],
      ]);
    });

    it("retries a failed period on later ticks, up to the attempts allowed", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const failFor = new Set(["2026-02-28"]);
      const { job, seen } = recordingJob("retry", { failFor });
      const s = scheduler([job], { maxAttempts: 2 });
      const first = await s.tick("retry");
      expect(first.map((r) => [r.outcome, r.run.status, r.run.error])).toEqual([
        ["failed", "failed", "no data for 2026-02-28"],
      ]);
      // Still failing: the second and last attempt.
      clock.advance(DAY);
      const second = await s.tick("retry");
      expect(second.map((r) => [r.period.key, r.outcome, r.run.attempts])).toEqual([
        ["2026-02-28", "failed", 2],
        ["2026-03-01", "ran", 1],
      ]);
      // Out of attempts: left for a moderator; later periods go on.
      failFor.clear();
      clock.advance(DAY);
      const third = await s.tick("retry");
      expect(third.map((r) => [r.period.key, r.outcome])).toEqual([["2026-03-02", "ran"]]);
      expect(seen).toEqual(["2026-02-28", "2026-02-28", "2026-03-01", "2026-03-02"]);
      // Once the cause is fixed, a moderator's /admin epoch run retries it whatever its attempts.
      const byHand = await s.runNow(moderator, "retry");
      expect(byHand.map((r) => [r.period.key, r.outcome, r.run.attempts, r.run.status])).toEqual([
        ["2026-02-28", "resumed", 3, "done"],
      ]);

      // A job that fails once is retried by the next tick and done.
      const flaky = recordingJob("flaky", { failFor: new Set(["2026-03-02"]) });
      const f = scheduler([flaky.job]);
      expect((await f.tick("flaky")).map((r) => r.outcome)).toEqual(["failed"]);
      flaky.job.run = recordingJob("flaky").job.run;
      expect((await f.tick("flaky")).map((r) => [r.outcome, r.run.attempts, r.run.status])).toEqual([
        ["resumed", 2, "done"],
      ]);
    });

    it("announces results and failures in the configured channel; an unreachable channel changes nothing", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const posts: Array<{ channel: string; title?: string; text?: string; tone?: string }> = [];
      test.app.services.notifier.register({
        platform: "telegram",
        sendToUser: async () => {},
        postToChannel: async (channel, message) => {
          posts.push({ channel, title: message.title, text: message.text, tone: message.tone });
        },
      });
      const failFor = new Set(["2026-02-28"]);
      const { job } = recordingJob("announced", { failFor });
      const s = scheduler([job], { announceChannel: { platform: "telegram", id: "-1001" } });
      await s.tick("announced");
      failFor.clear();
      await s.tick("announced");
      expect(posts).toEqual([
        {
          channel: "-1001",
          title: "announced — 2026-02-28",
          text: "Failed: no data for 2026-02-28. It is retried on the next tick.",
          tone: "error",
        },
        { channel: "-1001", title: "announced — 2026-02-28", text: "ran 2026-02-28", tone: "success" },
      ]);

      // No Discord front end runs here: the post fails, is logged, and the run stands.
      const quiet = recordingJob("unannounced");
      const reports = await scheduler([quiet.job], {
        announceChannel: { platform: "discord", id: "1" },
      }).tick("unannounced");
      expect(reports.map((r) => [r.outcome, r.run.status])).toEqual([["ran", "done"]]);
    });

    it("ticks racing for one period run it once", async () => {
      clock.set("2026-03-01T06:00:00Z");
      const { job, seen } = recordingJob("race");
      const schedulers = Array.from({ length: 4 }, (_, i) => scheduler([job], { owner: `racer-${i}` }));
      const reports = (await Promise.all(schedulers.map((s) => s.tick("race")))).flat();
      expect(reports.filter((r) => r.outcome === "ran")).toHaveLength(1);
      // The others found it claimed (skipped) or, arriving after it was done, found nothing due.
      expect(reports.filter((r) => r.outcome !== "ran" && r.outcome !== "skipped")).toEqual([]);
      expect(seen).toEqual(["2026-02-28"]);
    });

    it("/admin epoch run's service refuses members who are not moderators, and unknown or disabled jobs", async () => {
      const { job } = recordingJob("guarded");
      const s = scheduler([job, { ...job, name: "idle" }], { schedules: { idle: "off" } });
      await expect(s.runNow({ ...moderator, isModerator: false }, "guarded")).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(s.runNow(moderator, "nope")).rejects.toMatchObject({ code: "unknown_job" });
      await expect(s.runNow(moderator, "idle")).rejects.toMatchObject({ code: "job_disabled" });
      expect(await test.app.db.prisma.jobRun.count({ where: { job: { in: ["guarded", "idle"] } } })).toBe(0);
    });
  });
}

describe("scheduler settings", () => {
  it("refuses schedules for jobs that do not exist, and takes overrides and off", async () => {
    const { job } = recordingJob("known");
    const services = {} as never;
    expect(() => new Scheduler(services, [job], { schedules: { unknown: "0 * * * *" } })).toThrow(
      SchedulerConfigError,
    );
    const s = new Scheduler({ db: {} } as never, [job, { ...job, name: "other" }], {
      schedules: { known: "*/5 * * * *", other: "off" },
    });
    expect(s.jobs.map((j) => [j.spec.name, j.expression, Boolean(j.schedule)])).toEqual([
      ["known", "*/5 * * * *", true],
      ["other", "off", false],
    ]);
  });
});
