// Demonstrations graded (built-in rubric, on the real recording) and settled per second against one
// pool, one at a time and 4 at once (GRADING_CONCURRENCY's scale), on PGlite and PostgreSQL, beside
// the ceiling of the same machine in the same run: a 1-row UPDATE in the same Prisma transaction
// machinery. Submissions are made (and their bids reserved) before the clock starts, with the
// background grading queue switched off, so they are still queued when the timed loop grades and
// settles them; the suite fails unless each timed loop settled exactly the submissions it names.
import { readFileSync } from "node:fs";
import { loadConfig } from "#src/config.ts";
import type { Actor } from "#src/core/context.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { RubricGrader } from "#src/grading/rubric.ts";
import type { UploadedFile } from "#src/grading/types.ts";
import { silentLogger } from "#src/log.ts";
import { createServices } from "#src/services.ts";
import {
  type BenchRow,
  concurrentOpsPerSecond,
  defineSuite,
  onEachDatabase,
  opsPerSecond,
} from "./harness.ts";

const CLIENTS = 4;
const FARMERS = 16;
const folder = new URL("../test/fixtures/forge-demos/20251007_131852/", import.meta.url);
const meta = JSON.parse(readFileSync(new URL("meta.json", folder), "utf8")) as Record<string, unknown>;
const log = new Uint8Array(readFileSync(new URL("input_log.jsonl", folder)));

const demo = (id: string): UploadedFile[] => [
  { name: "meta.json", bytes: new TextEncoder().encode(JSON.stringify({ ...meta, id })) },
  { name: "input_log.jsonl", bytes: log },
];

async function benchKind(
  kind: DatabaseKind,
  ctx: Parameters<Parameters<typeof defineSuite>[0]["run"]>[0],
): Promise<BenchRow[]> {
  const { db, url, drop } = await ctx.database(kind, CLIENTS + 4);
  try {
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent", GRADING_CONCURRENCY: "1" });
    const services = await createServices(config, db, silentLogger);
    const { submissions, factories, funds } = services;
    // Submissions wait, queued, until the timed loop grades them itself: the background queue
    // would otherwise grade and settle them while they are being prepared (and the timed loop
    // would then measure two SELECTs of submissions already settled).
    submissions.queue.enqueue = () => {};
    submissions.use({ grader: new RubricGrader() });
    const actor = async (name: string, isModerator = false): Promise<Actor> => {
      const user = await db.prisma.user.create({ data: { displayName: name, createdAt: db.clock.now() } });
      return { userId: user.id, displayName: name, isModerator, platform: "console", platformUserId: name };
    };
    const creator = await actor("creator");
    const mod = await actor("mod", true);
    const farmers = await Promise.all(Array.from({ length: FARMERS }, (_, i) => actor(`farmer${i}`)));
    await funds.credit({
      actor: mod,
      key: "grant",
      userId: creator.userId,
      token: "USDC",
      amountAtoms: 10n ** 12n,
      reason: "bench",
    });
    const factory = await factories.create({
      actor: creator,
      key: "create",
      name: "Bench",
      token: "USDC",
      bidAtoms: 200_000n,
      tasks: [
        {
          title: "Implement shopping cart",
          app: "Flutter E-Commerce",
          objectives: ["Open the project", "Implement state management"],
          ref: "task_2",
        },
      ],
      // Every farmer records the task many times: no per-farmer-per-task limit (the default is 1).
      limits: { limitPerFarmerTask: 0 },
    });
    await factories.fund({ actor: creator, key: "fund", factoryId: factory.id, amountAtoms: 10n ** 11n });

    const single = ctx.quick ? 20 : kind === "pglite" ? 150 : 200;
    const perClient = ctx.quick ? 5 : kind === "pglite" ? 40 : 60;
    let n = 0;
    const prepare = async (count: number): Promise<number[]> => {
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        const farmer = farmers[n % FARMERS]!;
        const r = await submissions.submit({
          actor: farmer,
          key: `bench-${n}`,
          factoryId: factory.id,
          files: demo(`bench-${n++}`),
        });
        ids.push(r.submissionId);
      }
      return ids;
    };
    const settle = (id: number) => submissions.gradeOne(id);
    const settledCount = () => db.prisma.submission.count({ where: { status: "settled" } });
    /** Runs a timed loop over `ids` and fails unless it settled exactly them, all of them. */
    const timed = async (ids: number[], loop: () => Promise<number>): Promise<number> => {
      const before = await settledCount();
      const waiting = await db.prisma.submission.count({ where: { id: { in: ids }, status: "queued" } });
      if (waiting !== ids.length)
        throw new Error(`${kind}: only ${waiting} of ${ids.length} submissions were queued before timing`);
      const rate = await loop();
      const settledNamed = await db.prisma.submission.count({
        where: { id: { in: ids }, status: "settled" },
      });
      const settledNow = (await settledCount()) - before;
      if (settledNamed !== ids.length || settledNow !== ids.length)
        throw new Error(
          `${kind}: the timed loop settled ${settledNamed} of its ${ids.length} submissions (${settledNow} in all)`,
        );
      return rate;
    };

    ctx.log(`${kind}: preparing ${single + CLIENTS * perClient} submissions`);
    const singleIds = await prepare(single);
    const concurrentIds = await prepare(CLIENTS * perClient);
    const rowId = (await db.prisma.account.findFirstOrThrow({ where: { ownerType: "user" } })).id;
    const bare = () =>
      db
        .transaction((tx) => tx.db.$executeRaw`UPDATE accounts SET balance = balance WHERE id = ${rowId}`)
        .then(() => undefined);

    ctx.log(`${kind}: grading and settling`);
    const ceilingSingle = await opsPerSecond(single, () => bare(), 20);
    if ((await settledCount()) !== 0) throw new Error(`${kind}: submissions were settled while preparing`);
    const settledSingle = await timed(singleIds, () => opsPerSecond(single, (i) => settle(singleIds[i]!)));
    const ceilingConcurrent = await concurrentOpsPerSecond(CLIENTS, perClient, () => bare());
    const settledConcurrent = await timed(concurrentIds, () =>
      concurrentOpsPerSecond(CLIENTS, perClient, (c, i) => settle(concurrentIds[c * perClient + i]!)),
    );
    const row = (clients: string, value: number, ceiling: number): BenchRow => ({
      suite: "settlement",
      case: `graded+settled/s, ${clients}`,
      database: kind,
      value,
      unit: "demos/s",
      ceiling,
      ratio: value / ceiling,
      // Issue 16: a settlement at half the rate of a 1-row Prisma transaction, on PostgreSQL.
      ...(kind === "postgres" ? { goal: { ratioAtLeast: 0.5 } } : {}),
      notes: "rubric on the real recording; ceiling: 1-row UPDATE in a Prisma tx",
    });
    return [
      row("1 worker", settledSingle, ceilingSingle),
      row(`${CLIENTS} workers`, settledConcurrent, ceilingConcurrent),
    ];
  } finally {
    await drop();
  }
}

export default defineSuite({
  name: "settlement",
  description: "demonstrations graded and settled per second against one pool",
  run: (ctx) => onEachDatabase(ctx, benchKind),
});
