// The arena-emission job stopped by its timeout, on both databases, through the real scheduler: the
// signal is aborted while a payment batch is being written; that batch still commits whole, the run
// stops before the next one, and the retry (a fresh run of the same period) pays only the rest,
// ending with the totals of an uninterrupted run and a clean ledger. The timeout is measured on the
// services' clock, which the test moves while the batch waits: no race with time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Arena } from "#src/arena/arena.ts";
import { arenaEmissionJob } from "#src/arena/emission-job.ts";
import { computeEpochRewards } from "#src/arena/rewards.ts";
import { decodeSnapshot } from "#src/arena/snapshot.ts";
import { ARENA_CODES } from "#src/arena/types.ts";
import { ManualClock, MINUTE } from "#src/core/clock.ts";
import type { Tx } from "#src/db/database.ts";
import { Scheduler } from "#src/epochs/scheduler.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";
import type { JobSpec } from "#src/job-kit.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { Ledger, type LedgerOp, type TransferRecord, type TransferSetResult } from "#src/ledger/ledger.ts";
import { silentLogger } from "#src/log.ts";
import type { Services } from "#src/services.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { ARENA_EMISSION_ATOMS, ARENA_ENV, seedArena } from "#test/helpers/arena-seed.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

const JOB = arenaEmissionJob.name;
const TIMEOUT = 5 * MINUTE;
/** The seed's epoch pays six members; two per transaction makes three batches. */
const PAYEES = 6;
const PAY_BATCH = 2;
const PERIOD = "2026-03-01";
const KEY = `${JOB}:${PERIOD}`;

/**
 * The real ledger, which waits inside the first batch of arena rewards (its transaction open, its
 * transfers written) until `release` is called: the moment the test times the run out.
 */
class PausingLedger extends Ledger {
  #paused = false;
  entered: Promise<void>;
  #reached: () => void = () => {};
  #released: Promise<void> = Promise.resolve();
  release: () => void = () => {};

  constructor(base: Ledger) {
    super(base.tokens);
    this.entered = new Promise((resolve) => {
      this.#reached = resolve;
    });
    this.#released = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  override async execute(tx: Tx, ops: readonly LedgerOp[]): Promise<TransferRecord[]> {
    const done = await super.execute(tx, ops);
    await this.#pauseOnce(ops.some((op) => "code" in op && op.code === ARENA_CODES.reward));
    return done;
  }

  // Arena epochs pay through the set-based path.
  override async transferSet(...args: Parameters<Ledger["transferSet"]>): Promise<TransferSetResult> {
    const done = await super.transferSet(...args);
    await this.#pauseOnce(args[1].code === ARENA_CODES.reward);
    return done;
  }

  async #pauseOnce(rewards: boolean): Promise<void> {
    if (rewards && !this.#paused) {
      this.#paused = true;
      this.#reached();
      await this.#released;
    }
  }
}

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(
    `arena emission stopped by its timeout [${kind}]`,
    () => {
      let t: TestApp;
      const clock = new ManualClock("2026-03-02T06:00:00Z");
      beforeAll(async () => {
        t = await createTestApp(kind, { clock, env: { ...ARENA_ENV }, poolSize: 8 });
        await seedArena(t.app);
      });
      afterAll(async () => {
        await t?.close();
      });

      const transfers = () =>
        t.app.db.prisma.transfer.findMany({
          where: { code: ARENA_CODES.reward, key: { startsWith: `${KEY}:` } },
          select: { key: true, amount: true },
        });
      const emissionBalance = async () =>
        (await t.app.services.ledger.balance(t.app.db.prisma, accounts.emission("CLONES"))).balanceAtoms;

      it("a run told to stop before it starts stores nothing", async () => {
        const stopped = arenaEmissionJob.run({
          period: { key: PERIOD, start: new Date("2026-03-01T00:00:00Z"), end: new Date("2026-03-02") },
          key: KEY,
          services: t.app.services,
          log: silentLogger,
          now: clock.now(),
          signal: AbortSignal.abort(new JobTimeoutError(TIMEOUT)),
        });
        await expect(stopped).rejects.toBeInstanceOf(JobTimeoutError);
        expect(await t.app.db.prisma.arenaEpoch.count()).toBe(0);
        expect(await transfers()).toEqual([]);
      });

      it("stops between two payment batches at its timeout; the retry pays the rest, once", async () => {
        const emissionBefore = await emissionBalance();
        const { services } = t.app;
        const ledger = new PausingLedger(services.ledger);
        // The job as the scheduler runs it, on an arena that pays two members per transaction; the
        // attempt is kept so the test can wait for it to end after the scheduler stopped awaiting it.
        const arena = new Arena(services.db, ledger, services.tokens, {
          ...services.arena.settings,
          payBatch: PAY_BATCH,
        });
        let attempt: Promise<unknown> = Promise.resolve();
        let aborted: Promise<void> = Promise.resolve();
        const watched: JobSpec = {
          ...arenaEmissionJob,
          run(ctx) {
            const signal = ctx.signal!;
            aborted = new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
            const running = arenaEmissionJob.run(ctx);
            attempt = running.then(
              () => "finished",
              (error: unknown) => error,
            );
            return running;
          },
        };
        const first = new Scheduler({ ...services, arena } as Services, [watched], {
          owner: "stopped",
          leaseMs: 300,
          timeoutsMs: { [JOB]: TIMEOUT },
        });
        const running = first.tick(JOB);

        // The first batch is written, not committed, when the run outlasts its timeout; it goes on
        // once the signal is aborted (the failure is recorded once its transaction has let go).
        await ledger.entered;
        clock.advance(TIMEOUT);
        await aborted;
        ledger.release();
        const reports = await running;
        expect(reports.map((r) => [r.period.key, r.outcome, r.run.status, r.run.error])).toEqual([
          [PERIOD, "failed", "failed", "timed out after 300 s"],
        ]);
        // The batch under way committed whole; the run stopped before the next one.
        const stoppedWith = await attempt;
        expect(stoppedWith).toBeInstanceOf(JobTimeoutError);
        const paidBefore = await transfers();
        expect(paidBefore).toHaveLength(PAY_BATCH);
        expect(await t.app.db.prisma.arenaReward.count({ where: { paid: true, amount: { gt: 0 } } })).toBe(
          PAY_BATCH,
        );
        const halfway = await t.app.db.prisma.arenaEpoch.findUniqueOrThrow({ where: { key: KEY } });
        expect(halfway.status).toBe("computed");
        expect(emissionBefore - (await emissionBalance())).toBe(
          paidBefore.reduce((sum, p) => sum + BigInt(p.amount.toFixed(0)), 0n),
        );
        expect((await auditLedger(t.app.db)).problems).toEqual([]);

        // The next tick (the app's own arena and ledger) retries the period and pays the other four.
        clock.advance(MINUTE);
        const retried = await new Scheduler(services, [arenaEmissionJob], {
          owner: "heir",
          leaseMs: 300,
          timeoutsMs: { [JOB]: TIMEOUT },
        }).tick(JOB);
        expect(retried.map((r) => [r.period.key, r.outcome, r.run.status, r.run.attempts])).toEqual([
          [PERIOD, "resumed", "done", 2],
        ]);
        expect(retried[0]?.run.data).toMatchObject({
          distributedAtoms: ARENA_EMISSION_ATOMS.toString(),
          undistributedAtoms: "0",
          payees: PAYEES,
          paidNow: PAYEES - PAY_BATCH,
        });

        // Every line of the epoch paid exactly once, to the atom, as the stored snapshot computes it.
        const epoch = await t.app.db.prisma.arenaEpoch.findUniqueOrThrow({
          where: { key: KEY },
          include: { rewards: true },
        });
        expect(epoch.status).toBe("paid");
        const paid = await transfers();
        expect(paid).toHaveLength(PAYEES);
        expect(new Set(paid.map((p) => p.key)).size).toBe(PAYEES);
        expect(paid.map((p) => `${p.key.slice(KEY.length + 1)}:${p.amount.toFixed(0)}`).sort()).toEqual(
          computeEpochRewards(decodeSnapshot(epoch.snapshot))
            .payouts.filter((p) => p.atoms > 0n)
            .map((p) => `${p.role}:${p.participantId}:${p.userId}:${p.atoms}`)
            .sort(),
        );
        expect(emissionBefore - (await emissionBalance())).toBe(ARENA_EMISSION_ATOMS);
        const audit = await auditLedger(t.app.db);
        expect(audit.problems).toEqual([]);
        expect(audit.ok).toBe(true);
      });
    },
  );
}
