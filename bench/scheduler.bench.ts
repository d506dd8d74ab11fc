// The scheduler's own cost per period: a bot back after downtime catching up N missed periods of
// a job that does nothing, so what is measured is the claim, the heartbeat-free bookkeeping and
// the period arithmetic. The ceiling, measured in the same run, is the bare database work a claim
// cannot do without: one INSERT of the job_runs row and one UPDATE marking it done.
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { ManualClock, MINUTE } from "#src/core/clock.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { defineJob } from "#src/epochs/job.ts";
import { Scheduler } from "#src/epochs/scheduler.ts";
import { silentLogger } from "#src/log.ts";
import { type BenchContext, type BenchRow, defineSuite, onEachDatabase, withPeakRss } from "./harness.ts";

const noop = defineJob({
  name: "bench-noop",
  description: "Does nothing",
  defaultSchedule: "* * * * *",
  run: async () => ({ summary: "nothing" }),
});

async function benchKind(kind: DatabaseKind, ctx: BenchContext): Promise<BenchRow[]> {
  const periods = ctx.quick ? 50 : 1000;
  const { db, url, drop } = await ctx.database(kind, 4);
  try {
    const clock = new ManualClock("2026-03-01T00:00:30Z");
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" });
    const app = await createApp(config, db, silentLogger, clock);
    const scheduler = new Scheduler(app.services, [noop], { maxCatchUp: periods });
    await scheduler.tick(noop.name); // the first period: the job's latest from now on
    clock.advance(periods * MINUTE);
    ctx.log(`${kind}: catching up ${periods} periods`);
    const started = performance.now();
    const { result: reports, peakRssMiB } = await withPeakRss(() => scheduler.tick(noop.name));
    const seconds = (performance.now() - started) / 1000;
    if (reports.length !== periods || reports.some((r) => r.outcome !== "ran"))
      throw new Error(`expected ${periods} runs, got ${reports.length}`);

    const bareStart = performance.now();
    for (let i = 0; i < periods; i++) {
      const at = new Date(Date.UTC(2027, 0, 1) + i * MINUTE);
      const row = await db.prisma.jobRun.create({
        data: {
          job: "bench-bare",
          periodKey: String(i),
          periodStart: at,
          periodEnd: at,
          status: "running",
          owner: "bench",
          heartbeatAt: at,
          startedAt: at,
        },
      });
      await db.prisma.jobRun.updateMany({
        where: { id: row.id, owner: "bench", status: "running" },
        data: { status: "done", finishedAt: at, summary: "nothing" },
      });
    }
    const bareSeconds = (performance.now() - bareStart) / 1000;
    const value = periods / seconds;
    const ceiling = periods / bareSeconds;
    return [
      {
        suite: "scheduler",
        case: `catch-up of ${periods} missed periods`,
        database: kind,
        value,
        unit: "periods/s",
        ceiling,
        ratio: value / ceiling,
        peakRssMiB,
        notes: "ceiling: INSERT + UPDATE of the job_runs row alone",
      },
    ];
  } finally {
    await drop();
  }
}

export default defineSuite({
  name: "scheduler",
  description: "the scheduler's cost per period (claims, catch-up) beside the bare claim SQL",
  run: (ctx) => onEachDatabase(ctx, benchKind),
});
