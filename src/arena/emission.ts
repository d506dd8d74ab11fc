// One arena epoch, in idempotent steps keyed by the job run's key, so a run killed anywhere is
// completed by the next one with the same totals and nothing paid twice:
//   1. snapshot: the stakes, delegations, submissions, scores and parameters that count, stored
//      (built by the database in one statement: the live rows never reach the bot);
//   2. compute: the reward rule on the stored snapshot, one row per payee, stored;
//   3. pay: the unpaid rows in batches of payees, each batch one transaction (one ledger transfer
//      per payee and role, with its lines as its breakdown, and the rows marked paid), grouped
//      and posted by the database through the ledger's set-based transfers;
//   4. release: stakes withdrawn before the end of the period go back to their owners.
// The run's signal (the job's timeout) is checked between steps and between batches, never inside
// one: a stopped run leaves whole batches behind, and the retry (same key) pays the rest.
import type { Database } from "#src/db/database.ts";
import type { ArenaEpoch, Prisma } from "#src/db/generated/client.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { parseAmount } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import { type ArenaParams, computeEpochRewards } from "./rewards.ts";
import { decodeSnapshot, storeSnapshot } from "./snapshot.ts";
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
/** Reward lines per INSERT: one JSON parameter of a few MB. */
const LINES_PER_STATEMENT = 25_000;

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

/** An epoch row without its snapshot (a few MB at scale), which only the compute step reads. */
type EpochRow = Omit<ArenaEpoch, "snapshot">;

/** 1. The snapshot, once per run key (a concurrent twin inserts nothing and reads ours). */
async function takeSnapshot(deps: Deps, run: EpochRun, settings: EmissionSettings): Promise<EpochRow> {
  const { db } = deps;
  const token = settings.token;
  const epoch = await readEpoch(db, { key: run.key });
  if (epoch) return epoch;
  const emissionAtoms = parseAmount(settings.emission, { symbol: token, decimals: deps.tokenDecimals });
  await storeSnapshot(db.prisma, {
    key: run.key,
    period: run.period,
    token,
    emissionAtoms,
    params: { ...settings.params },
    now: run.now,
  });
  return (await readEpoch(db, { key: run.key }))!;
}

function readEpoch(db: Database, where: { key: string } | { id: number }): Promise<EpochRow | null> {
  return db.prisma.arenaEpoch.findUnique({ where, omit: { snapshot: true } });
}

/** 2. The rewards, computed from the stored snapshot (never from the live tables). */
async function computeRewards(db: Database, epoch: EpochRow): Promise<EpochRow> {
  const epochId = epoch.id;
  // Read as text and parsed here: the stored JSON is a few MB, and Prisma's JSON path is slow at that.
  const [stored] = await db.prisma.$queryRaw<Array<{ snapshot: string }>>`
    SELECT snapshot::text AS snapshot FROM arena_epochs WHERE id = ${epochId}`;
  const result = computeEpochRewards(decodeSnapshot(JSON.parse(stored!.snapshot)));
  const breakdowns = new Map(
    result.tasks
      .flatMap((t) => [...t.nodes, ...t.validators])
      .map((b) => [`${b.role}:${b.participantId}`, b]),
  );
  // The lines as compact JSON tuples: one text parameter per chunk, unpacked by the database.
  const lines = result.payouts.map((p) => {
    const breakdown = breakdowns.get(`${p.role}:${p.participantId}`);
    return [
      p.taskId,
      p.participantId,
      p.userId,
      p.role,
      p.atoms.toString(),
      breakdown ? jsonSafe(breakdown) : null,
      p.atoms === 0n,
    ];
  });
  // The lines first, then the claim: a line is the same whoever computes it (the stored snapshot
  // decides it), so a twin run or a retry after a crash midway inserts only what is missing (the
  // unique line key), and payment starts only once the epoch says computed, every line stored. On
  // the driver itself: a few MB of parameter cost Prisma seconds.
  for (let i = 0; i < lines.length; i += LINES_PER_STATEMENT) {
    await db.statement(
      `INSERT INTO arena_rewards (epoch_id, task_id, participant_id, user_id, role, amount, breakdown, paid)
       SELECT $1::int, (l->>0)::int, (l->>1)::int, (l->>2)::int, l->>3, (l->>4)::numeric,
              CASE WHEN json_typeof(l->5) = 'null' THEN NULL ELSE (l->5)::jsonb END, (l->>6)::boolean
       FROM json_array_elements($2::json) WITH ORDINALITY AS t(l, n)
       ORDER BY n
       ON CONFLICT (epoch_id, participant_id, role, user_id) DO NOTHING`,
      [epochId, JSON.stringify(lines.slice(i, i + LINES_PER_STATEMENT))],
    );
  }
  await db.prisma.arenaEpoch.updateMany({
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
  return (await readEpoch(db, { id: epochId }))!;
}

/**
 * 3. Pay what is unpaid: one transfer per payee and role (node, validator, delegator) per epoch,
 * its reward lines kept as its breakdown (the transfer's meta; arena_rewards keeps each line for
 * /arena rewards). Per role rather than per payee because the leaderboards rank nodes and
 * validators by the transfer's role. Batches of `payBatch` payees, each batch one transaction that
 * pays its payees and marks their lines paid, all or nothing; a stopped run leaves whole batches
 * behind and the next pays the rest. The payments are grouped, described and posted by the
 * database (PAYMENTS, through the ledger's set-based transfers): the lines never travel.
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
      const [locked] = await tx.db.$queryRaw<Array<{ lines: number }>>`
        SELECT count(*)::int AS lines FROM (
          SELECT id FROM arena_rewards
          WHERE epoch_id = ${epochId} AND NOT paid AND user_id = ANY(${users}::int[])
          ORDER BY user_id, role, id FOR UPDATE) AS unpaid`;
      if (!locked || locked.lines === 0) return 0;
      // Every payee's account resolved (or opened) in one statement, not one round trip each.
      const payeeAccounts = await ledger.accountIds(
        tx,
        users.map((user) => accounts.user(user, token)),
      );
      const { written } = await ledger.transferSet(tx, {
        debit: accounts.emission(token),
        token,
        code: ARENA_CODES.reward,
        source: { sql: PAYMENTS, params: [epochId, users, payeeAccounts, run.key, run.period.key] },
      });
      await tx.db.$executeRaw`
        UPDATE arena_rewards SET paid = true
        WHERE epoch_id = ${epochId} AND NOT paid AND user_id = ANY(${users}::int[])`;
      return written.length;
    });
  }
  return paidNow;
}

/**
 * The payments of one batch, as the ledger's set-based transfers read them: the unpaid lines of
 * epoch $1 of the payees $2 (whose accounts are $3), one row per payee and role in that order, its
 * key made from run key $4, its memo what /history shows beside it (the epoch $5, the role, the
 * tasks, where each line is), its meta every line.
 */
const PAYMENTS = `
  SELECT row_number() OVER (ORDER BY user_id, role) AS ord,
         $4::text || ':' || role || ':' || first_participant || ':' || user_id AS key,
         account_id AS credit_account_id,
         amount,
         format('epoch %s, %s: %s on task%s %s (/arena rewards with epoch %s shows each)',
                $5::text, role,
                CASE WHEN lines = 1 THEN '1 reward' ELSE lines || ' rewards' END,
                CASE WHEN cardinality(tasks) = 1 THEN '' ELSE 's' END,
                CASE WHEN cardinality(tasks) > 5
                     THEN array_to_string(tasks[1:5], ', ') || ' and ' || (cardinality(tasks) - 5) || ' more'
                     ELSE array_to_string(tasks, ', ') END,
                $5::text) AS memo,
         jsonb_build_object('role', role, 'epoch', $5::text, 'lines', breakdown) AS meta
  FROM (
    SELECT r.user_id, r.role, a.account_id, SUM(r.amount) AS amount, count(*) AS lines,
           (array_agg(r.participant_id ORDER BY r.id))[1] AS first_participant,
           array_agg(DISTINCT r.task_id ORDER BY r.task_id) AS tasks,
           jsonb_agg(jsonb_build_object('rewardId', r.id, 'taskId', r.task_id,
                                        'participantId', r.participant_id, 'atoms', r.amount::text)
                     ORDER BY r.id) AS breakdown
    FROM arena_rewards r
    JOIN unnest($2::int[], $3::int[]) AS a(user_id, account_id) ON a.user_id = r.user_id
    WHERE r.epoch_id = $1::int AND NOT r.paid
    GROUP BY r.user_id, r.role, a.account_id) AS payments`;

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
  epoch: EpochRow,
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
