// The retention of job_runs on both databases: the job-runs-retention job deletes done rows older
// than JOB_RUNS_RETENTION_DAYS, but never running or failed rows, the newest row of a job, nor the
// rows inside a job's catch-up horizon; and a period whose row was deleted is not run again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, ManualClock, MINUTE } from "#src/core/clock.ts";
import { JOB_RUNS_RETENTION_JOB } from "#src/epochs/retention-job.ts";
import { CronSchedule } from "#src/epochs/schedule.ts";
import { Scheduler } from "#src/epochs/scheduler.ts";
import { defineJob } from "#src/job-kit.ts";
import { jobs } from "#src/jobs.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

type RowStatus = "done" | "running" | "failed";

/** Every period of `expression` that ended after `after` and by `until`, oldest first. */
const periodsOf = (expression: string, after: string, until: string) =>
  new CronSchedule(expression).periodsDue(new Date(after), new Date(until), 1_000_000);

const dayKeys = (from: string, to: string): string[] => {
  const keys: string[] = [];
  for (let t = new Date(from).getTime(); t <= new Date(to).getTime(); t += DAY)
    keys.push(new Date(t).toISOString().slice(0, 10));
  return keys;
};

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(
    `job_runs retention [${kind}]`,
    () => {
      let test: TestApp;
      const clock = new ManualClock("2026-03-01T06:00:00Z");
      beforeAll(async () => {
        test = await createTestApp(kind, {
          clock,
          env: { JOB_RUNS_RETENTION_DAYS: "30", JOB_MAX_CATCH_UP: "40", JOB_MAX_ATTEMPTS: "5" },
        });
      });
      afterAll(async () => {
        await test?.close();
      });

      /** Rows as a process would have left them: finished a minute after their period ended. */
      const seed = async (
        job: string,
        periods: Array<{ key: string; start: Date; end: Date }>,
        status: RowStatus = "done",
        extra: { finishedAt?: Date; attempts?: number } = {},
      ) => {
        await test.app.db.prisma.jobRun.createMany({
          data: periods.map((p) => {
            const finishedAt = extra.finishedAt ?? new Date(p.end.getTime() + MINUTE);
            return {
              job,
              periodKey: p.key,
              periodStart: p.start,
              periodEnd: p.end,
              status,
              attempts: extra.attempts ?? 1,
              owner: "seed",
              heartbeatAt: finishedAt,
              startedAt: p.end,
              finishedAt: status === "running" ? null : finishedAt,
            };
          }),
        });
      };
      const keysOf = async (job: string) =>
        (await test.app.db.prisma.jobRun.findMany({ where: { job }, orderBy: { periodEnd: "asc" } })).map(
          (r) => r.periodKey,
        );

      it("deletes old done runs, keeping running and failed ones, each job's newest and its catch-up horizon", async () => {
        clock.set("2026-03-01T06:00:00Z"); // 30 days ago: 2026-01-30 06:00
        const daily = periodsOf("0 0 * * *", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"); // 2026-01-01 .. 2026-02-28
        const byKey = (key: string) => daily.filter((p) => p.key === key);
        // An old period a moderator ran again last week, one that gave up, and all the others done.
        await seed(
          "arena-emission",
          daily.filter((p) => !["2026-01-03", "2026-01-05"].includes(p.key)),
        );
        await seed("arena-emission", byKey("2026-01-03"), "done", {
          finishedAt: new Date("2026-02-22T10:00:00Z"),
        });
        await seed("arena-emission", byKey("2026-01-05"), "failed", { attempts: 5 });
        // A per-minute job: 1,500 minutes of January (more than one batch) and the last hour.
        const oldMinutes = periodsOf("* * * * *", "2026-01-10T00:00:00Z", "2026-01-11T01:00:00Z");
        const recentMinutes = periodsOf("* * * * *", "2026-03-01T05:00:00Z", "2026-03-01T06:00:00Z");
        expect([oldMinutes.length, recentMinutes.length]).toEqual([1500, 60]);
        await seed("withdrawals", oldMinutes);
        await seed("withdrawals", recentMinutes);
        // A job no longer registered: only its newest row matters. A run that never finished and a
        // failure of another old job stay whatever their age.
        const retired = periodsOf("0 0 * * *", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z");
        await seed("retired-job", retired);
        await seed(
          "leaderboard-posts",
          periodsOf("* * * * *", "2026-01-02T00:00:00Z", "2026-01-02T00:01:00Z"),
          "running",
        );
        await seed(
          "reputation-decay",
          periodsOf("15 0 * * *", "2026-01-01T00:15:00Z", "2026-01-03T00:15:00Z"),
          "failed",
        );

        const [report] = await test.app.services.scheduler.tick(JOB_RUNS_RETENTION_JOB);
        expect(report).toMatchObject({ outcome: "ran", run: { status: "done" } });
        // arena-emission: the horizon of 40 daily periods reaches back to the period ending
        // 2026-01-21, so of the old rows only 2026-01-01 .. 2026-01-19 go, but for the two kept.
        expect(await keysOf("arena-emission")).toEqual([
          "2026-01-03",
          "2026-01-05",
          ...dayKeys("2026-01-20", "2026-02-28"),
        ]);
        // withdrawals: the January minutes all go, the last hour stays.
        expect(await keysOf("withdrawals")).toEqual(recentMinutes.map((p) => p.key));
        expect(await keysOf("retired-job")).toEqual(["2026-01-03"]);
        expect(await keysOf("leaderboard-posts")).toEqual(["2026-01-02T00:00"]);
        expect(await keysOf("reputation-decay")).toEqual(["2026-01-01T00:15", "2026-01-02T00:15"]);
        expect(report?.run.data).toEqual({
          deleted: 17 + 1500 + 2,
          byJob: { "arena-emission": 17, withdrawals: 1500, "retired-job": 2 },
          olderThan: "2026-01-30T06:00:00.000Z",
        });
        expect(report?.run.summary).toBe("1519 finished run record(s) from before 2026-01-30 deleted.");

        // With a catch-up limit of 5 the horizon is five days: the rest of the old rows go.
        const shortHorizon = new Scheduler(test.app.services, jobs, { maxCatchUp: 5, retentionMs: 30 * DAY });
        expect(await shortHorizon.pruneRuns(clock.now())).toMatchObject({
          deleted: 10,
          byJob: { "arena-emission": 10 },
        });
        expect(await keysOf("arena-emission")).toEqual([
          "2026-01-03",
          "2026-01-05",
          ...dayKeys("2026-01-30", "2026-02-28"),
        ]);
        // Nothing older is left to delete: a second pass (a retry) deletes nothing.
        expect((await shortHorizon.pruneRuns(clock.now())).deleted).toBe(0);
      });

      it("does not run again a period whose row was deleted: catch-up starts after the newest row", async () => {
        clock.set("2026-03-01T06:00:00Z");
        const seen: string[] = [];
        const sleepy = defineJob({
          name: "sleepy",
          description: "Records its periods",
          defaultSchedule: "0 0 * * *",
          async run(ctx) {
            seen.push(ctx.period.key);
            return { summary: `ran ${ctx.period.key}` };
          },
        });
        // It ran every day until 2026-01-20; the bot was down since.
        await seed("sleepy", periodsOf("0 0 * * *", "2026-01-01T00:00:00Z", "2026-01-21T00:00:00Z"));
        const scheduler = new Scheduler(test.app.services, [sleepy], {
          maxCatchUp: 5,
          retentionMs: 30 * DAY,
        });
        // (This scheduler knows only this job; the other tests' rows are not what this one is about.)
        expect((await scheduler.pruneRuns(clock.now())).byJob.sleepy).toBe(19);
        expect(await keysOf("sleepy")).toEqual(["2026-01-20"]);

        // Catch-up runs the five most recent periods after the newest row, none of the deleted ones.
        const reports = await scheduler.tick("sleepy");
        expect(reports.map((r) => [r.period.key, r.outcome])).toEqual(
          dayKeys("2026-02-24", "2026-02-28").map((key) => [key, "ran"]),
        );
        expect(seen).toEqual(dayKeys("2026-02-24", "2026-02-28"));
        // Forty days on, it catches up the five latest again; the retention then deletes the rows of
        // 2026-01-20 and February, and the next day's tick still runs only the new period.
        clock.advance(40 * DAY);
        expect((await scheduler.tick("sleepy")).map((r) => r.period.key)).toEqual(
          dayKeys("2026-04-05", "2026-04-09"),
        );
        expect((await scheduler.pruneRuns(clock.now())).byJob.sleepy).toBe(6);
        expect(await keysOf("sleepy")).toEqual(dayKeys("2026-04-05", "2026-04-09"));
        seen.length = 0;
        clock.advance(DAY);
        expect((await scheduler.tick("sleepy")).map((r) => r.period.key)).toEqual(["2026-04-10"]);
        expect(seen).toEqual(["2026-04-10"]);
      });
    },
  );
}
