// /epoch as members and moderators type it on the console, with the bot's real jobs: status and
// next due times, a moderator running what is due (once), the announcement in the configured
// channel, a run that timed out, and every refusal.
import { expect, it } from "vitest";
import { MINUTE } from "#src/core/clock.ts";
import { Scheduler } from "#src/epochs/scheduler.ts";
import { defineJob } from "#src/job-kit.ts";
import { describeConsole } from "#test/helpers/console.ts";

describeConsole(
  "/epoch",
  (get) => {
    it("shows every job's schedule and next due time before anything ran", async () => {
      const status = await get().one("@bob /epoch status");
      expect(status.ok).toBe(true);
      expect(status.text).toContain(
        "withdrawals (* * * * * UTC): next due 2026-01-01 00:01 UTC, times out after 5 min",
      );
      expect(status.text).toContain(
        "arena-emission (0 0 * * * UTC): next due 2026-01-02 00:00 UTC, times out after 2 h",
      );
      expect(status.data).toMatchObject({
        jobs: expect.arrayContaining([
          expect.objectContaining({ name: "withdrawals", timeoutSeconds: 300 }),
          expect.objectContaining({
            name: "job-runs-retention",
            schedule: "40 3 * * *",
            timeoutSeconds: 1800,
          }),
        ]),
      });
      expect(status.text).toContain("No job has run yet.");
    });

    it("refuses /admin epoch run to members, unknown jobs, and changes nothing", async () => {
      const refused = await get().one("@bob /admin epoch run job:withdrawals");
      expect(refused).toMatchObject({ ok: false, code: "forbidden" });
      const unknown = await get().one("@mod /admin epoch run job:nope");
      expect(unknown).toMatchObject({ ok: false, code: "unknown_job" });
      expect(unknown.text).toContain("withdrawals, arena-emission");
      expect(await get().app.db.prisma.jobRun.count()).toBe(0);
    });

    it("runs the due period once for a moderator, announces it, and catches up what was missed", async () => {
      const { app, clock, notices } = get();
      const first = await get().one("@mod /admin epoch run job:withdrawals");
      expect(first.ok).toBe(true);
      expect(first.data).toMatchObject({
        job: "withdrawals",
        runs: [{ period: "2025-12-31T23:59", outcome: "ran", status: "done", attempts: 1 }],
      });
      expect(first.text).toContain("Solana is not connected");
      expect(notices).toContainEqual(
        expect.objectContaining({
          to: "in #announcements",
          text: expect.stringContaining("withdrawals — 2025-12-31T23:59"),
        }),
      );

      const again = await get().one("@mod /admin epoch run job:withdrawals");
      expect(again.ok).toBe(true);
      expect(again.text).toContain("Nothing was due for withdrawals");
      expect(await app.db.prisma.jobRun.count({ where: { job: "withdrawals" } })).toBe(1);

      clock.advance(3 * MINUTE);
      const caughtUp = await get().one("@mod /admin epoch run job:withdrawals");
      expect((caughtUp.data as { runs: Array<{ period: string; outcome: string }> }).runs).toEqual([
        expect.objectContaining({ period: "2026-01-01T00:00", outcome: "ran" }),
        expect.objectContaining({ period: "2026-01-01T00:01", outcome: "ran" }),
        expect.objectContaining({ period: "2026-01-01T00:02", outcome: "ran" }),
      ]);

      const status = await get().one("@bob /epoch status");
      expect(status.text).toContain("withdrawals (* * * * * UTC): next due 2026-01-01 00:04 UTC");
      expect(status.text).toContain("withdrawals 2026-01-01T00:02: done");
      expect((status.data as { recent: unknown[] }).recent).toHaveLength(4);
    });

    it("shows a run that timed out, and still counts the timeout once a retry finished it", async () => {
      const { app, clock } = get();
      let entered: () => void = () => {};
      const hung = new Promise<void>((resolve) => {
        entered = resolve;
      });
      let hang = true;
      // A job whose call never answers (it listens to its signal, so it stops when timed out).
      const stuck = defineJob({
        name: "stuck-report",
        description: "Waits on a call that never answers",
        defaultSchedule: "0 * * * *",
        async run(ctx) {
          if (hang)
            await new Promise((_, reject) => {
              entered();
              ctx.signal?.addEventListener("abort", () => reject(ctx.signal?.reason));
            });
          return { summary: "report sent" };
        },
      });
      const scheduler = new Scheduler(app.services, [stuck], {
        leaseMs: 300,
        timeoutsMs: { "stuck-report": 120_000 },
      });
      const running = scheduler.tick("stuck-report");
      await hung;
      clock.advance(2 * MINUTE);
      expect((await running).map((r) => r.outcome)).toEqual(["failed"]);

      const failed = await get().one("@bob /epoch status");
      expect(failed.text).toContain(
        "stuck-report 2025-12-31T23:00: failed (1 attempt timed out) — timed out after 120 s",
      );
      expect((failed.data as { recent: unknown[] }).recent).toContainEqual(
        expect.objectContaining({
          job: "stuck-report",
          status: "failed",
          timeouts: 1,
          error: "timed out after 120 s",
        }),
      );

      hang = false;
      expect((await scheduler.tick("stuck-report")).map((r) => [r.outcome, r.run.attempts])).toEqual([
        ["resumed", 2],
      ]);
      const done = await get().one("@bob /epoch status");
      expect(done.text).toContain(
        "stuck-report 2025-12-31T23:00: done (attempt 2, 1 attempt timed out) — report sent",
      );
    });
  },
  { moderators: ["mod"], env: { JOB_ANNOUNCE_CHANNEL: "console:announcements" } },
);
