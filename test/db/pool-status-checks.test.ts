// Typed states (issue 18): the database refuses a factory or submission status outside the union
// src/economy/pools/statuses.ts exports, and the two lists are the same.
import { expect, it } from "vitest";
import { openDatabase } from "#src/db/database.ts";
import { sqlState } from "#src/db/errors.ts";
import { migrate } from "#src/db/migrate.ts";
import { FACTORY_STATUSES, SUBMISSION_STATUSES } from "#src/economy/pools/statuses.ts";

it("factories and submissions take only the statuses of their unions", { timeout: 120_000 }, async () => {
  const db = await openDatabase({ url: "memory://" });
  try {
    await migrate(db);
    const checks = await db.prisma.$queryRaw<Array<{ name: string; definition: string }>>`
      SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conname IN ('factories_status_check', 'submissions_status_check') ORDER BY conname`;
    const listed = (definition: string) => [...definition.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(checks.map((c) => c.name)).toEqual(["factories_status_check", "submissions_status_check"]);
    expect(listed(checks[0]!.definition)).toEqual([...FACTORY_STATUSES]);
    expect(listed(checks[1]!.definition)).toEqual([...SUBMISSION_STATUSES]);

    await db.prisma.$executeRaw`
      INSERT INTO factories (creator_user_id, name, token, bid_atoms, fee_policy, deposit_fee_percent,
        setup_fee_atoms, setup_fee_token, reward_fee_percent, quality_threshold, created_at)
      VALUES (1, 'F', 'USDC', 1, 'clones', '0', 0, 'USDC', '10', 50, now())`;
    // out_of_funds is how a live factory reads when its pool cannot pay its bid; it is never stored.
    const refused = await db.prisma.$executeRaw`UPDATE factories SET status = 'out_of_funds'`.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(sqlState(refused)).toBe("23514"); // check_violation
    await db.prisma.$executeRaw`UPDATE factories SET status = 'paused'`;
    const [row] = await db.prisma.$queryRaw<Array<{ status: string }>>`SELECT status FROM factories`;
    expect(row!.status).toBe("paused");
  } finally {
    await db.close();
  }
});
