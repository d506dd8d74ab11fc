// One arena epoch, in idempotent steps keyed by the job run's key, so a run killed anywhere is
// completed by the next one with the same totals and nothing paid twice:
//   1. snapshot: the stakes, delegations, submissions, scores and parameters that count, stored;
//   2. compute: the reward rule on the stored snapshot, one row per payee, stored;
//   3. pay: the unpaid rows in batches of payees, each batch one transaction (one ledger transfer
//      per payee and role, with its lines as its breakdown, and the rows marked paid);
//   4. release: stakes withdrawn before the end of the period go back to their owners.
// The run's signal (the job's timeout) is checked between steps and between batches, never inside
// one: a stopped run leaves whole batches behind, and the retry (same key) pays the rest.
import type { Database } from "#src/db/database.ts";
import type { ArenaEpoch, Prisma } from "#src/db/generated/client.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { parseAmount } from "#src/ledger/amount.ts";
import type { Ledger, TransferOp } from "#src/ledger/ledger.ts";
import { type ArenaParams, computeEpochRewards } from "./rewards.ts";
import { decodeSnapshot, encodeSnapshot, snapshotInput } from "./snapshot.ts";
import { ARENA_CODES, type EpochStatus, stakeAccount } from "./types.ts";

export interface EmissionSettings {
  token: string;
  /** E per epoch, as the deployment wrote it (ARENA_EMISSION), in whole tokens. */
  emission: string;
  params: ArenaParams;
  /** Payments per transaction; PAY_BATCH unless given (tests give a small one to see batches). */
  payBatch?: number;
}

export interface EpochReport {
  epochId: number;
  periodKey: string;
  token: string;
  emissionAtoms: bigint;
  distributedAtoms: bigint;
  undistributedAtoms: bigint;
  payees: number;
  tasks: number;
  /** Transfers made by this run (0 when an earlier run had paid everything). */
  paidNow: number;
  released: number;
}

/** Payments per transaction: large enough to be fast, small enough to keep each commit short. */
export const PAY_BATCH = 1000;
const RELEASE_BATCH = 500;

type Step = "snapshot" | "compute" | "pay" | "release";
type Deps = { db: Database; ledger: Ledger; tokenDecimals: number };
interface EpochRun {
  key: string;
  period: { key: string; start: Date; end: Date };
  now: Date;
  /** Aborted when the job run times out: the run stops at the next step or batch boundary. */
  signal?: AbortSignal;
}

export async function runArenaEpoch(
  deps: Deps,
  run: EpochRun,
  settings: EmissionSettings,
  /** Told how long each step took (the benchmark's breakdown). */
  onStep?: (step: Step, ms: number) => void,
): Promise<EpochReport> {
  const step = stepTimer(onStep);
  const { signal } = run;
  signal?.throwIfAborted();
  let epoch = await takeSnapshot(deps, run, settings);
  step("snapshot");
  signal?.throwIfAborted();
  if (epoch.status === "snapshot") epoch = await computeRewards(deps.db, epoch);
  step("compute");
  const paidNow = await payRewards(deps, run, epoch.id, settings);
  step("pay");
  const released = await releaseWithdrawnStakes(deps, run, settings.token);
  step("release");
  if (epoch.status !== "paid") await markPaid(deps.db, epoch.id, run.now);
  return reportOf(deps.db, epoch, settings.token, paidNow, released);
}

/** Tells `onStep` the time since the previous step ended. */
function stepTimer(onStep?: (step: Step, ms: number) => void) {
  let mark = performance.now();
  return (name: Step) => {
    const now = performance.now();
    onStep?.(name, now - mark);
    mark = now;
  };
}

/** 1. The snapshot, once per run key (a concurrent twin inserts nothing and reads ours). */
async function takeSnapshot(deps: Deps, run: EpochRun, settings: EmissionSettings): Promise<ArenaEpoch> {
  const { db } = deps;
  const token = settings.token;
  const epoch = await db.prisma.arenaEpoch.findUnique({ where: { key: run.key } });
  if (epoch) return epoch;
  const emissionAtoms = parseAmount(settings.emission, { symbol: token, decimals: deps.tokenDecimals });
  const input = await db.transaction((tx) =>
    snapshotInput(tx.db, run.period, emissionAtoms, settings.params),
  );
  await db.prisma.arenaEpoch.createMany({
    data: [
      {
        key: run.key,
        periodKey: run.period.key,
        periodStart: run.period.start,
        periodEnd: run.period.end,
        token,
        emission: emissionAtoms.toString(),
        params: { ...settings.params },
        snapshot: encodeSnapshot(input) as unknown as Prisma.InputJsonValue,
        status: "snapshot" satisfies EpochStatus,
        createdAt: run.now,
      },
    ],
    skipDuplicates: true,
  });
  return db.prisma.arenaEpoch.findUniqueOrThrow({ where: { key: run.key } });
}

/** 2. The rewards, computed from the stored snapshot (never from the live tables). */
async function computeRewards(db: Database, epoch: ArenaEpoch): Promise<ArenaEpoch> {
  const result = computeEpochRewards(decodeSnapshot(epoch.snapshot));
  const epochId = epoch.id;
  const breakdowns = new Map(
    result.tasks
      .flatMap((t) => [...t.nodes, ...t.validators])
      .map((b) => [`${b.role}:${b.participantId}`, b]),
  );
  const lines = result.payouts.map((p) => {
    const breakdown = breakdowns.get(`${p.role}:${p.participantId}`);
    return {
      taskId: p.taskId,
      participantId: p.participantId,
      userId: p.userId,
      role: p.role,
      amount: p.atoms.toString(),
      breakdown: breakdown ? jsonSafe(breakdown) : undefined,
      paid: p.atoms === 0n,
    };
  });
  await db.transaction(async (tx) => {
    const claimed = await tx.db.arenaEpoch.updateMany({
      where: { id: epochId, status: "snapshot" satisfies EpochStatus },
      data: {
        status: "computed" satisfies EpochStatus,
        distributed: result.distributedAtoms.toString(),
        undistributed: result.undistributedAtoms.toString(),
        tasks: jsonSafe(
          result.tasks.map(({ nodes: _n, validators: _v, ...task }) => task),
        ) as Prisma.InputJsonValue,
      },
    });
    if (claimed.count === 0) return; // a twin run stored them first
    // Set-based: one statement per 20,000 rows (Prisma's createMany is far slower on PGlite).
    for (let i = 0; i < lines.length; i += 20_000) {
      const chunk = lines.slice(i, i + 20_000);
      await tx.db.$executeRawUnsafe(
        `INSERT INTO arena_rewards (epoch_id, task_id, participant_id, user_id, role, amount, breakdown, paid)
         SELECT $1::int, * FROM unnest($2::int[], $3::int[], $4::int[], $5::text[], $6::numeric[], $7::jsonb[], $8::boolean[])`,
        epochId,
        chunk.map((l) => l.taskId),
        chunk.map((l) => l.participantId),
        chunk.map((l) => l.userId),
        chunk.map((l) => l.role),
        chunk.map((l) => l.amount),
        chunk.map((l) => (l.breakdown === undefined ? null : JSON.stringify(l.breakdown))),
        chunk.map((l) => l.paid),
      );
    }
  });
  return db.prisma.arenaEpoch.findUniqueOrThrow({ where: { id: epochId } });
}

/** An unpaid reward line, as the payment reads it. */
interface UnpaidLine {
  id: number;
  task_id: number;
  participant_id: number;
  user_id: number;
  role: string;
  amount: string;
}

/**
 * 3. Pay what is unpaid: one transfer per payee and role (node, validator, delegator) per epoch,
 * its reward lines kept as its breakdown (the transfer's meta; arena_rewards keeps each line for
 * /arena rewards). Per role rather than per payee because the leaderboards rank nodes and
 * validators by the transfer's role. Batches of `payBatch` payees, each batch one transaction that
 * pays its payees and marks their lines paid, all or nothing; a stopped run leaves whole batches
 * behind and the next pays the rest.
 *
 * A payment's key is the key of the first of its lines (`<run>:<role>:<participant>:<user>`): it
 * depends only on the stored lines, so a retry or a twin run names the same payment, and it is
 * unique (it holds the role and the payee). Returns the transfers made now.
 */
async function payRewards(
  deps: Deps,
  run: EpochRun,
  epochId: number,
  settings: EmissionSettings,
): Promise<number> {
  const { db, ledger } = deps;
  const token = settings.token;
  const payBatch = settings.payBatch ?? PAY_BATCH;
  // The payees still owed something, once: each batch then locks only its own payees' lines.
  const payees = (
    await db.prisma.$queryRaw<Array<{ user_id: number }>>`
      SELECT DISTINCT user_id FROM arena_rewards WHERE epoch_id = ${epochId} AND NOT paid ORDER BY user_id`
  ).map((row) => row.user_id);
  let paidNow = 0;
  for (let start = 0; start < payees.length; start += payBatch) {
    run.signal?.throwIfAborted();
    const users = payees.slice(start, start + payBatch);
    paidNow += await db.transaction(async (tx) => {
      // A twin run may have paid some of them since: NOT paid is checked again under the lock.
      const rows = await tx.db.$queryRaw<UnpaidLine[]>`
        SELECT id, task_id, participant_id, user_id, role, amount::text AS amount FROM arena_rewards
        WHERE epoch_id = ${epochId} AND NOT paid AND user_id = ANY(${users}::int[])
        ORDER BY user_id, role, id FOR UPDATE`;
      if (rows.length === 0) return 0;
      const payments = paymentsOf(rows);
      // Every payee's account resolved (or opened) in one statement, not one round trip each.
      const [emissionId, ...payeeIds] = await ledger.accountIds(tx, [
        accounts.emission(token),
        ...payments.map((p) => accounts.user(p.userId, token)),
      ]);
      const ops: TransferOp[] = payments.map((p, i) => ({
        kind: "transfer",
        key: `${run.key}:${p.lines[0]!.role}:${p.lines[0]!.participant_id}:${p.userId}`,
        debit: emissionId!,
        credit: payeeIds[i]!,
        token,
        amountAtoms: p.atoms,
        code: ARENA_CODES.reward,
        memo: rewardMemo(run.period.key, p.role, p.lines),
        meta: {
          role: p.role,
          epoch: run.period.key,
          lines: p.lines.map((l) => ({
            rewardId: l.id,
            taskId: l.task_id,
            participantId: l.participant_id,
            atoms: l.amount,
          })),
        },
      }));
      const done = await ledger.execute(tx, ops);
      await tx.db
        .$executeRaw`UPDATE arena_rewards SET paid = true WHERE id = ANY(${rows.map((r) => r.id)}::int[])`;
      return done.filter((t) => !t.replayed).length;
    });
  }
  return paidNow;
}

/** The lines grouped into payments: one per payee and role, in the order read. */
function paymentsOf(
  rows: readonly UnpaidLine[],
): Array<{ userId: number; role: string; atoms: bigint; lines: UnpaidLine[] }> {
  const payments = new Map<string, { userId: number; role: string; atoms: bigint; lines: UnpaidLine[] }>();
  for (const row of rows) {
    const key = `${row.user_id}:${row.role}`;
    let payment = payments.get(key);
    if (!payment) {
      payment = { userId: row.user_id, role: row.role, atoms: 0n, lines: [] };
      payments.set(key, payment);
    }
    payment.atoms += BigInt(row.amount);
    payment.lines.push(row);
  }
  return [...payments.values()];
}

/** What /history shows beside the payment: the epoch, the role, the tasks, where each line is. */
function rewardMemo(periodKey: string, role: string, lines: readonly UnpaidLine[]): string {
  const tasks = [...new Set(lines.map((l) => l.task_id))].sort((a, b) => a - b);
  const shown =
    tasks.length > 5 ? `${tasks.slice(0, 5).join(", ")} and ${tasks.length - 5} more` : tasks.join(", ");
  const what = lines.length === 1 ? "1 reward" : `${lines.length} rewards`;
  return `epoch ${periodKey}, ${role}: ${what} on task${tasks.length === 1 ? "" : "s"} ${shown} (/arena rewards with epoch ${periodKey} shows each)`;
}

/** 4. Give back the stakes withdrawn during or before this period: they counted for the last time. */
async function releaseWithdrawnStakes(deps: Deps, run: EpochRun, token: string): Promise<number> {
  const { db, ledger } = deps;
  let released = 0;
  for (;;) {
    run.signal?.throwIfAborted();
    const count = await db.transaction(async (tx) => {
      const rows = await tx.db.$queryRaw<Array<{ id: number; user_id: number; amount: string }>>`
        SELECT id, user_id, amount::text AS amount FROM arena_stakes
        WHERE released_at IS NULL AND withdrawn_at < ${run.period.end}
        ORDER BY id LIMIT ${RELEASE_BATCH} FOR UPDATE`;
      if (rows.length === 0) return 0;
      await ledger.execute(
        tx,
        rows.map((row) => ({
          kind: "transfer" as const,
          key: `arena.release|${row.id}`,
          debit: stakeAccount(row.user_id, token),
          credit: accounts.user(row.user_id, token),
          token,
          amountAtoms: BigInt(row.amount),
          code: ARENA_CODES.release,
          meta: { stakeId: row.id, epoch: run.period.key },
        })),
      );
      await tx.db
        .$executeRaw`UPDATE arena_stakes SET released_at = ${run.now} WHERE id = ANY(${rows.map((r) => r.id)}::int[])`;
      return rows.length;
    });
    if (count === 0) break;
    released += count;
  }
  return released;
}

/** Paid only once no line is left unpaid (a twin run may still be committing its last batch). */
async function markPaid(db: Database, epochId: number, now: Date): Promise<void> {
  await db.prisma.$executeRaw`
    UPDATE arena_epochs SET status = 'paid', paid_at = ${now}
    WHERE id = ${epochId} AND status = 'computed'
      AND NOT EXISTS (SELECT 1 FROM arena_rewards WHERE epoch_id = ${epochId} AND NOT paid)`;
}

async function reportOf(
  db: Database,
  epoch: ArenaEpoch,
  token: string,
  paidNow: number,
  released: number,
): Promise<EpochReport> {
  const [{ payees } = { payees: 0 }] = await db.prisma.$queryRaw<Array<{ payees: number }>>`
    SELECT COUNT(DISTINCT user_id)::int AS payees FROM arena_rewards WHERE epoch_id = ${epoch.id} AND amount > 0`;
  const tasks = Array.isArray(epoch.tasks) ? epoch.tasks.length : 0;
  return {
    epochId: epoch.id,
    periodKey: epoch.periodKey,
    token,
    emissionAtoms: BigInt(epoch.emission.toFixed(0)),
    distributedAtoms: BigInt(epoch.distributed?.toFixed(0) ?? "0"),
    undistributedAtoms: BigInt(epoch.undistributed?.toFixed(0) ?? "0"),
    payees,
    tasks,
    paidNow,
    released,
  };
}

/** Bigints as decimal strings, for JSON columns. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
