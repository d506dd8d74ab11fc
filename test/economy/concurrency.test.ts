// On PostgreSQL, 200 farmers submit at once to a pool that funds exactly 150 demonstrations: exactly
// 150 are reserved, 50 are told the pool is out of funds, the pool never goes negative, and once
// everything is graded the ledger's audit is clean. The quality agent is an external grader on a
// loopback server that holds its answers until the storm is over (so no settlement refunds part of
// a bid back into the pool meanwhile, which would fund more than 150).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "#src/core/context.ts";
import { isUserError } from "#src/core/errors.ts";
import { ExternalGrader } from "#src/grading/external.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { fixtureLog, fixtureMetaJson, text } from "#test/grading/fixture.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { Loopback } from "#test/helpers/loopback.ts";

const FARMERS = 200;
const FUNDED = 150;
const BID = 200_000n; // 0.2 USDC

(postgresAvailable() ? describe : describe.skip)("200 farmers at once on one pool [postgres]", () => {
  let test: TestApp;
  let grader: Loopback;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });

  beforeAll(async () => {
    test = await createTestApp("postgres", { poolSize: 40 });
    grader = await Loopback.start(async () => {
      await gate;
      return { body: { score: 80, summary: "fine", reasoning: "held until the storm was over" } };
    });
  });
  afterAll(async () => {
    release();
    await grader?.close();
    await test?.close();
  });

  it("reserves exactly 150, refuses 50, never goes negative, audits clean after grading", async () => {
    const { services, db } = test.app;
    services.submissions.use({
      grader: new ExternalGrader({
        url: grader.url,
        timeoutMs: 600_000,
        fallback: "manual",
        log: silentLogger,
      }),
    });
    const actor = async (name: string, isModerator = false): Promise<Actor> => {
      const user = await db.prisma.user.create({ data: { displayName: name, createdAt: db.clock.now() } });
      return { userId: user.id, displayName: name, isModerator, platform: "console", platformUserId: name };
    };
    const cora = await actor("cora");
    const mod = await actor("mod", true);
    await services.funds.credit({
      actor: mod,
      key: "grant",
      userId: cora.userId,
      token: "USDC",
      amountAtoms: 1_000_000_000n,
      reason: "grant",
    });
    const factory = await services.factories.create({
      actor: cora,
      key: "create",
      name: "Storm",
      token: "USDC",
      bidAtoms: BID,
      tasks: [
        {
          title: "Implement shopping cart",
          app: "Flutter E-Commerce",
          objectives: ["Open", "Build"],
          ref: "task_2",
        },
      ],
    });
    await services.factories.fund({
      actor: cora,
      key: "fund",
      factoryId: factory.id,
      amountAtoms: BID * BigInt(FUNDED),
    });
    const farmers = await Promise.all(Array.from({ length: FARMERS }, (_, i) => actor(`farmer${i}`)));

    const outcomes = await Promise.allSettled(
      farmers.map((farmer, i) =>
        services.submissions.submit({
          actor: farmer,
          key: `storm-${i}`,
          factoryId: factory.id,
          files: [
            { name: "meta.json", bytes: text(JSON.stringify({ ...fixtureMetaJson, id: `storm-${i}` })) },
            { name: "input_log.jsonl", bytes: fixtureLog },
          ],
        }),
      ),
    );
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    const why: Record<string, number> = {};
    for (const error of refused) {
      const code = isUserError(error) ? error.code : String((error as Error).message).slice(0, 300);
      why[code] = (why[code] ?? 0) + 1;
    }
    expect(why).toEqual({ out_of_funds: FARMERS - FUNDED });
    expect(ok).toHaveLength(FUNDED);
    expect(refused).toHaveLength(FARMERS - FUNDED);
    for (const error of refused) {
      expect(isUserError(error) && error.code).toBe("out_of_funds");
      expect((error as Error).message).toContain("Nothing was reserved");
    }
    const pool = await services.ledger.balance(db.prisma, accounts.pool(factory.id, "USDC"));
    expect(pool).toEqual({
      balanceAtoms: BID * BigInt(FUNDED),
      pendingAtoms: BID * BigInt(FUNDED),
      availableAtoms: 0n,
    });
    expect((await services.factories.view(db.prisma, factory.id)).status).toBe("out_of_funds");

    release();
    await services.submissions.queue.idle();
    const settled = await db.prisma.submission.count({ where: { status: "settled", score: 80 } });
    expect(settled).toBe(FUNDED);
    // Each paid 0.16 gross; 0.04 of each bid back in the pool.
    const after = await services.ledger.balance(db.prisma, accounts.pool(factory.id, "USDC"));
    expect(after).toEqual({
      balanceAtoms: 40_000n * BigInt(FUNDED),
      pendingAtoms: 0n,
      availableAtoms: 40_000n * BigInt(FUNDED),
    });
    const report = await auditLedger(db);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }, 240_000);
});
