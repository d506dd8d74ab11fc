// Typed states (issue 18): the database takes only the arena states its unions in src/arena/types.ts
// name, and the two lists are the same.
import { afterAll, beforeAll, expect, it } from "vitest";
import { EPOCH_STATUSES, PARTICIPANT_ROLES, REWARD_ROLES, STAKE_KINDS } from "#src/arena/types.ts";
import { sqlState } from "#src/db/errors.ts";
import { createTestDatabase, type TestDatabase } from "#test/helpers/db.ts";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase("pglite");
});
afterAll(() => test?.drop());

const UNIONS: Record<string, readonly string[]> = {
  arena_epochs_status_check: EPOCH_STATUSES,
  arena_participants_role_check: PARTICIPANT_ROLES,
  arena_rewards_role_check: REWARD_ROLES,
  arena_stakes_kind_check: STAKE_KINDS,
};

it("checks each arena state column against the values of its union", async () => {
  const checks = await test.db.prisma.$queryRaw<Array<{ name: string; definition: string }>>`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
    WHERE conname = ANY(${Object.keys(UNIONS)}) ORDER BY conname`;
  expect(checks.map((c) => c.name)).toEqual(Object.keys(UNIONS).sort());
  for (const check of checks)
    expect([...check.definition.matchAll(/'([a-z_]+)'/g)].map((m) => m[1])).toEqual([...UNIONS[check.name]!]);
});

it("refuses a state no union names, and takes one it does", async () => {
  const { prisma } = test.db;
  await prisma.$executeRaw`
    INSERT INTO users (display_name, created_at) VALUES ('node owner', now())`;
  await prisma.$executeRaw`
    INSERT INTO arena_tasks (creator_id, title, description, created_at) VALUES (1, 'T', '', now())`;
  const refused = await prisma.$executeRaw`
    INSERT INTO arena_participants (task_id, user_id, role, sigma, created_at) VALUES (1, 1, 'delegator', 1, now())`.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(sqlState(refused)).toBe("23514"); // check_violation
  await prisma.$executeRaw`
    INSERT INTO arena_participants (task_id, user_id, role, sigma, created_at) VALUES (1, 1, 'node', 1, now())`;
  const [row] = await prisma.$queryRaw<Array<{ role: string }>>`SELECT role FROM arena_participants`;
  expect(row!.role).toBe("node");
});
