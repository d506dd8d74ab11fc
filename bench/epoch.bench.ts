// One arena epoch at the scale of a large network: 100 tasks, 2,000 training nodes, 200 validators
// and 100,000 delegations (10,000 delegators, 10 each). Measured: the exact reward rule alone
// (decimal.js, rounding by largest remainder) and the whole epoch on PGlite and PostgreSQL
// (snapshot from the tables, compute, store the rows, post every payment through the ledger), each
// beside the ceiling of the same machine in the same run: the bare rule in plain floating point.
import { readFileSync } from "node:fs";
import { runArenaEpoch } from "#src/arena/emission.ts";
import { computeEpochRewards, type EpochInput } from "#src/arena/rewards.ts";
import type { Database, DatabaseKind } from "#src/db/database.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { TokenRegistry } from "#src/ledger/tokens.ts";
import { type BenchContext, type BenchRow, defineSuite, withPeakRss } from "./harness.ts";

interface Scale {
  tasks: number;
  nodesPerTask: number;
  validatorsPerTask: number;
  delegators: number;
  delegationsEach: number;
}

export const FULL: Scale = {
  tasks: 100,
  nodesPerTask: 20,
  validatorsPerTask: 2,
  delegators: 10_000,
  delegationsEach: 10,
};
const QUICK: Scale = {
  tasks: 10,
  nodesPerTask: 20,
  validatorsPerTask: 2,
  delegators: 1_000,
  delegationsEach: 10,
};

const CLONES = 10n ** 9n;
const PARAMS = { gamma: "0.1", alpha: "1", eps: "0.8", r: "0.8", mode: "rank" as const };
const PERIOD = {
  key: "2026-06-01",
  start: new Date("2026-06-01T00:00:00Z"),
  end: new Date("2026-06-02T00:00:00Z"),
};

/** The network as plain rows: participants (task, user, role, own stake), delegations, scores. */
export function network(scale: Scale) {
  const participants: Array<{
    id: number;
    task: number;
    user: number;
    role: "node" | "validator";
    own: bigint;
  }> = [];
  let id = 0;
  for (let t = 1; t <= scale.tasks; t++) {
    for (let n = 0; n < scale.nodesPerTask; n++)
      participants.push({
        id: ++id,
        task: t,
        user: 1_000_000 + id,
        role: "node",
        own: BigInt(1000 + ((id * 37) % 5000)) * CLONES,
      });
    for (let v = 0; v < scale.validatorsPerTask; v++)
      participants.push({
        id: ++id,
        task: t,
        user: 1_000_000 + id,
        role: "validator",
        own: BigInt(3000 + ((id * 53) % 9000)) * CLONES,
      });
  }
  const delegations: Array<{ participant: number; user: number; atoms: bigint }> = [];
  const n = participants.length;
  for (let u = 0; u < scale.delegators; u++)
    for (let j = 0; j < scale.delegationsEach; j++) {
      // Distinct participants per delegator: offsets of n / delegationsEach apart.
      const p = (u * 13 + j * Math.floor(n / scale.delegationsEach)) % n;
      delegations.push({ participant: p + 1, user: u + 1, atoms: BigInt(10 + ((u * 7 + j) % 990)) * CLONES });
    }
  const scores: Array<{ task: number; validator: number; node: number; score: string }> = [];
  for (const v of participants.filter((p) => p.role === "validator"))
    for (const node of participants.filter((p) => p.role === "node" && p.task === v.task))
      scores.push({
        task: v.task,
        validator: v.id,
        node: node.id,
        score: (((node.id * 31 + v.id * 17) % 1000) / 1000).toString(),
      });
  return { participants, delegations, scores };
}

type Network = ReturnType<typeof network>;

export function epochInput(net: Network, emissionAtoms: bigint): EpochInput {
  const tasks = new Map<number, EpochInput["tasks"][number]>();
  const byId = new Map<number, EpochInput["tasks"][number]["nodes"][number]>();
  for (const p of net.participants) {
    let task = tasks.get(p.task);
    if (!task) {
      task = { id: p.task, nodes: [], validators: [], scores: [] };
      tasks.set(p.task, task);
    }
    const input = {
      id: p.id,
      userId: p.user,
      ownAtoms: p.own,
      sigma: "0.5",
      delegations: [] as Array<{ userId: number; atoms: bigint }>,
    };
    byId.set(p.id, input);
    (p.role === "node" ? task.nodes : task.validators).push(input);
  }
  for (const d of net.delegations)
    byId.get(d.participant)!.delegations.push({ userId: d.user, atoms: d.atoms });
  for (const s of net.scores)
    tasks.get(s.task)!.scores.push({ validatorId: s.validator, nodeId: s.node, score: s.score });
  return { emissionAtoms, params: PARAMS, tasks: [...tasks.values()] };
}

/** The same rule in plain floating point, no exactness, no remainder placement: the ceiling. */
export function computeFloat(input: EpochInput): number {
  const gamma = Number(input.params.gamma);
  const eps = Number(input.params.eps);
  const r = Number(input.params.r);
  const E = Number(input.emissionAtoms);
  let checksum = 0;
  const eff = (p: EpochInput["tasks"][number]["nodes"][number]) => {
    let d = 0;
    for (const x of p.delegations) d += Number(x.atoms);
    return { own: Number(p.ownAtoms), d, t: Number(p.ownAtoms) + eps * d };
  };
  const taskStakes = input.tasks.map((t) => {
    let s = 0;
    for (const p of [...t.nodes, ...t.validators]) {
      const e = eff(p);
      s += e.own + e.d;
    }
    return s;
  });
  const all = taskStakes.reduce((a, b) => a + b, 0);
  input.tasks.forEach((task, ti) => {
    const r0 = (E * taskStakes[ti]!) / all;
    const nodes = task.nodes.map(eff);
    const vals = task.validators.map(eff);
    const sumT = nodes.reduce((a, n) => a + n.t, 0);
    const sumS = vals.reduce((a, v) => a + v.t, 0);
    const nodesPot = r0 * (gamma + ((1 - 2 * gamma) * sumT) / (sumT + sumS));
    const weight = new Map(task.validators.map((v, i) => [v.id, vals[i]!.t]));
    const byNode = new Map<number, Array<[number, number]>>();
    for (const s of task.scores) {
      const list = byNode.get(s.nodeId) ?? [];
      list.push([Number(s.score), weight.get(s.validatorId)!]);
      byNode.set(s.nodeId, list);
    }
    const c = task.nodes.map((n) => {
      const list = (byNode.get(n.id) ?? []).sort((a, b) => a[0] - b[0]);
      const total = list.reduce((a, x) => a + x[1], 0);
      let cum = 0;
      for (const [score, w] of list) {
        cum += w;
        if (2 * cum >= total) return score;
      }
      return -1;
    });
    const sorted = [...c].sort((a, b) => b - a);
    const g = c.map((x) => r ** sorted.indexOf(x));
    const wsum = nodes.reduce((a, n, i) => a + g[i]! * n.t, 0);
    task.nodes.forEach((node, i) => {
      const f = (nodesPot * g[i]! * nodes[i]!.t) / wsum;
      const keep = f * (0.5 + (0.5 * nodes[i]!.own) / (nodes[i]!.own + nodes[i]!.d));
      checksum += Math.floor(keep);
      for (const d of node.delegations) checksum += Math.floor(((f - keep) * Number(d.atoms)) / nodes[i]!.d);
    });
    const valsPot = r0 - nodesPot;
    const ssum = vals.reduce((a, v) => a + v.t, 0);
    task.validators.forEach((v, i) => {
      const f = (valsPot * vals[i]!.t) / ssum;
      const keep = f * (0.5 + (0.5 * vals[i]!.own) / (vals[i]!.own + vals[i]!.d));
      checksum += Math.floor(keep);
      for (const d of v.delegations) checksum += Math.floor(((f - keep) * Number(d.atoms)) / vals[i]!.d);
    });
  });
  return checksum;
}

function time<T>(work: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = work();
  return { result, ms: performance.now() - start };
}

/** Writes the network into the arena tables in a few set-based statements. */
async function load(db: Database, net: Network): Promise<void> {
  const before = new Date(PERIOD.start.getTime() - 3_600_000);
  const during = new Date(PERIOD.start.getTime() + 3_600_000);
  const tasks = [...new Set(net.participants.map((p) => p.task))];
  await db.transaction(async ({ db: q }) => {
    await q.$executeRawUnsafe(
      `INSERT INTO arena_tasks (id, creator_id, title, created_at) SELECT t, 1, 'bench task ' || t, $2 FROM unnest($1::int[]) AS t`,
      tasks,
      before,
    );
    await q.$executeRawUnsafe(
      `INSERT INTO arena_participants (id, task_id, user_id, role, sigma, created_at)
       SELECT * , 0.5, $5::timestamptz FROM unnest($1::int[], $2::int[], $3::int[], $4::text[])`,
      net.participants.map((p) => p.id),
      net.participants.map((p) => p.task),
      net.participants.map((p) => p.user),
      net.participants.map((p) => p.role),
      before,
    );
    const stakes = [
      ...net.participants.map((p) => ({ participant: p.id, user: p.user, kind: "own", atoms: p.own })),
      ...net.delegations.map((d) => ({
        participant: d.participant,
        user: d.user,
        kind: "delegation",
        atoms: d.atoms,
      })),
    ];
    for (let i = 0; i < stakes.length; i += 20_000) {
      const chunk = stakes.slice(i, i + 20_000);
      await q.$executeRawUnsafe(
        `INSERT INTO arena_stakes (participant_id, user_id, kind, amount, created_at)
         SELECT *, $5::timestamptz FROM unnest($1::int[], $2::int[], $3::text[], $4::numeric[])`,
        chunk.map((s) => s.participant),
        chunk.map((s) => s.user),
        chunk.map((s) => s.kind),
        chunk.map((s) => s.atoms.toString()),
        before,
      );
    }
    const nodes = net.participants.filter((p) => p.role === "node");
    await q.$executeRawUnsafe(
      `INSERT INTO arena_submissions (id, participant_id, model_ref, submitted_at)
       SELECT n, n, 'hf://bench/' || n, $2 FROM unnest($1::int[]) AS n`,
      nodes.map((n) => n.id),
      during,
    );
    await q.$executeRawUnsafe(
      `INSERT INTO arena_scores (submission_id, validator_id, score, scored_at)
       SELECT *, $4::timestamptz FROM unnest($1::int[], $2::int[], $3::numeric[])`,
      net.scores.map((s) => s.node),
      net.scores.map((s) => s.validator),
      net.scores.map((s) => s.score),
      during,
    );
  });
}

/**
 * The CPU time of this database's PostgreSQL backends so far, in clock ticks by process id (read
 * from /proc: the server runs on this machine). On a shared, loaded machine the wall time of an
 * epoch says little; the CPU it took, the bot's plus the database's, is what it costs.
 */
async function backendCpuTicks(db: Database): Promise<Map<number, number> | undefined> {
  if (db.kind !== "postgres") return undefined;
  const rows = await db.prisma.$queryRaw<Array<{ pid: number }>>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields 14 and 15 (utime, stime) after the command name, which is in parentheses.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      return undefined; // not on this machine
    }
  }
  return ticks;
}

/** Seconds of backend CPU between two readings (a backend opened in between counts from zero). */
function backendCpuSeconds(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number | undefined {
  if (!before || !after) return undefined;
  let ticks = 0;
  for (const [pid, now] of after) ticks += now - (before.get(pid) ?? 0);
  return ticks / 100; // USER_HZ, 100 on Linux
}

async function benchDatabase(
  kind: DatabaseKind,
  ctx: BenchContext,
  net: Network,
  floatMs: number,
): Promise<BenchRow> {
  const { db, drop } = await ctx.database(kind);
  try {
    const tokens = await db.transaction((tx) => TokenRegistry.load(tx));
    const ledger = new Ledger(tokens);
    await load(db, net);
    // The epoch's own memory: what the rule-alone case and the load left behind is collected first
    // (the process was started with --expose-gc), and the RSS the epoch started from is reported.
    (globalThis as { gc?: () => void }).gc?.();
    const startRssMiB = process.memoryUsage().rss / 2 ** 20;
    ctx.log(`${kind}: epoch (snapshot, compute, store, post) from ${Math.round(startRssMiB)} MiB RSS`);
    const start = performance.now();
    const cpuBefore = process.cpuUsage();
    const backendsBefore = await backendCpuTicks(db);
    const steps: string[] = [];
    const { result, peakRssMiB } = await withPeakRss(() =>
      runArenaEpoch(
        { db, ledger, tokenDecimals: 9 },
        { key: `arena-emission:${PERIOD.key}`, period: PERIOD, now: PERIOD.end },
        { token: "CLONES", emission: "1000000", params: PARAMS },
        (step, ms) => {
          steps.push(`${step} ${(ms / 1000).toFixed(1)}s`);
          ctx.log(`${kind}: ${step} ${(ms / 1000).toFixed(1)}s`);
        },
      ),
    );
    const ms = performance.now() - start;
    const botCpuS = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpuBefore));
    const databaseCpuS = backendCpuSeconds(backendsBefore, await backendCpuTicks(db));
    const cpu = `CPU: bot ${botCpuS.toFixed(1)}s${databaseCpuS === undefined ? "" : `, PostgreSQL ${databaseCpuS.toFixed(1)}s`}`;
    ctx.log(`${kind}: ${cpu}`);
    const transfers = await db.prisma.transfer.count({ where: { code: "arena.reward" } });
    return {
      suite: "epoch",
      case: "epoch computed and posted",
      database: kind,
      value: ms,
      unit: "ms",
      ceiling: floatMs,
      ratio: ms / floatMs,
      peakRssMiB,
      // Issue 16's goal is for the full epoch (100,000 delegations) on PostgreSQL; --quick runs a tenth.
      ...(kind === "postgres" && !ctx.quick ? { goal: { below: 5000, peakRssBelowMiB: 500 } } : {}),
      notes: `${transfers} transfers, ${result.payees} payees (${steps.join(", ")}), started at ${Math.round(startRssMiB)} MiB RSS; ${cpu}; ceiling: the bare rule in floats (ratio = times slower)`,
    };
  } finally {
    await drop();
  }
}

export default defineSuite({
  name: "epoch",
  description: "an arena epoch: 100 tasks, 2,000 nodes, 200 validators, 100,000 delegations",
  async run(ctx) {
    const scale = ctx.quick ? QUICK : FULL;
    const net = network(scale);
    const input = epochInput(net, 1_000_000n * CLONES);
    // Warm up both (JIT), then measure the best of three.
    computeFloat(input);
    computeEpochRewards(input);
    const floatMs = Math.min(...[0, 1, 2].map(() => time(() => computeFloat(input)).ms));
    let exact = { ms: Number.POSITIVE_INFINITY, payees: 0 };
    const { peakRssMiB } = await withPeakRss(async () => {
      for (let i = 0; i < 3; i++) {
        const run = time(() => computeEpochRewards(input));
        if (run.ms < exact.ms) exact = { ms: run.ms, payees: run.result.payouts.length };
      }
    });
    const label = `${net.participants.length} participants, ${net.delegations.length} delegations`;
    const rows: BenchRow[] = [
      {
        suite: "epoch",
        case: "rule alone, exact (decimal.js)",
        value: exact.ms,
        unit: "ms",
        ceiling: floatMs,
        ratio: exact.ms / floatMs,
        peakRssMiB,
        notes: `${label}, ${exact.payees} payee lines; ceiling: the bare rule in floats (ratio = times slower)`,
      },
    ];
    if (ctx.pglite) rows.push(await benchDatabase("pglite", ctx, net, floatMs));
    if (ctx.postgres) rows.push(await benchDatabase("postgres", ctx, net, floatMs));
    return rows;
  },
});
