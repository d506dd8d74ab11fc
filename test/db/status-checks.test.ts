// Every status-like column refuses a value its TypeScript union does not name (the CHECKs of the
// 20261203110200_status_checks migration, and those job_runs and withdrawals had from the start). The rows are otherwise well formed; a CHECK is tested
// before any foreign key, so the rows need no parents to show which constraint refuses them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "#test/helpers/db.ts";

const AT = "'2026-12-03T11:00:00Z'";

const refusals: Array<[constraint: string, insert: string]> = [
  [
    "transfers_kind_known",
    `INSERT INTO transfers (key, fingerprint, kind, status, debit_account_id, credit_account_id, token, amount, code, created_at)
     VALUES ('k1', 'f', 'refund', 'posted', 1, 2, 'CLONES', 1, 'test', ${AT})`,
  ],
  [
    "transfers_status_known",
    `INSERT INTO transfers (key, fingerprint, kind, status, debit_account_id, credit_account_id, token, amount, code, created_at)
     VALUES ('k2', 'f', 'single', 'done', 1, 2, 'CLONES', 1, 'test', ${AT})`,
  ],
  [
    "pending_actions_kind_known",
    `INSERT INTO pending_actions (id, user_id, kind, command, options, platform, created_at, expires_at)
     VALUES ('a1', 1, 'confirmation', 'pool fund', '{}', 'console', ${AT}, ${AT})`,
  ],
  [
    "pending_actions_resolution_known",
    `INSERT INTO pending_actions (id, user_id, kind, command, options, platform, created_at, expires_at, resolution)
     VALUES ('a2', 1, 'confirm', 'pool fund', '{}', 'console', ${AT}, ${AT}, 'expired')`,
  ],
  [
    "job_runs_status_check",
    `INSERT INTO job_runs (job, period_key, period_start, period_end, status, owner, heartbeat_at, started_at)
     VALUES ('arena', '2026-12-03', ${AT}, ${AT}, 'succeeded', 'me', ${AT}, ${AT})`,
  ],
  [
    // An unknown status also breaks withdrawals_batch_matches_status, which PostgreSQL checks first
    // (constraints are checked in name order); either refusal names the bad status.
    "withdrawals_batch_matches_status",
    `INSERT INTO withdrawals (user_id, token, amount, destination, status, created_at)
     VALUES (1, 'CLONES', 1, 'wallet', 'queued', ${AT})`,
  ],
  [
    "withdrawal_batches_status_known",
    `INSERT INTO withdrawal_batches (token, status, signature, transaction, blockhash, last_valid_block_height, created_at)
     VALUES ('CLONES', 'sent', 'sig', 'tx', 'hash', 1, ${AT})`,
  ],
  [
    "leaderboard_posts_status_known",
    `INSERT INTO leaderboard_posts (schedule_id, period_key, status, claimed_at)
     VALUES (1, '2026-12-03T09:00Z', 'done', ${AT})`,
  ],
];

describe("status columns hold only their union's values", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase("pglite");
  });
  afterAll(() => test?.drop());

  it.each(refusals)("%s refuses an unknown value", async (constraint, insert) => {
    // On the driver itself: Prisma's PGlite adapter drops the message that names the constraint.
    const session = await test.db.rawSession();
    try {
      await expect(session.query(insert)).rejects.toThrow(`violates check constraint "${constraint}"`);
    } finally {
      await session.release();
    }
  });

  it("accepts a known value (the constraint is not refusing everything)", async () => {
    const inserted = await test.db.prisma.$executeRawUnsafe(
      `INSERT INTO job_runs (job, period_key, period_start, period_end, status, owner, heartbeat_at, started_at)
       VALUES ('arena', '2026-12-03', ${AT}, ${AT}, 'done', 'me', ${AT}, ${AT})`,
    );
    expect(inserted).toBe(1);
  });
});
