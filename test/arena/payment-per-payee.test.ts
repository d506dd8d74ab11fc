// An epoch pays one transfer per payee and role, whatever the number of reward lines behind it:
// its amount is their sum, its meta lists each line, /history's memo names them, /arena rewards
// still shows every line; a rerun pays nothing more.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arenaEmissionJob } from "#src/arena/emission-job.ts";
import { ARENA_CODES } from "#src/arena/types.ts";
import type { Actor } from "#src/core/context.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { ARENA_ENV, seedMembers, seedTask } from "#test/helpers/arena-seed.ts";
import { postgresAvailable } from "#test/helpers/db.ts";

const CLONES = 10n ** 9n;
/** The seed's epoch: its stakes count from this day (test/helpers/arena-seed.ts). */
const DAY0 = new Date("2026-03-01T00:00:00Z");

for (const kind of ["pglite", "postgres"] as DatabaseKind[]) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(
    `arena payment per payee [${kind}]`,
    () => {
      let t: TestApp;
      const actors = new Map<string, Actor>();
      beforeAll(async () => {
        t = await createTestApp(kind, { env: { ...ARENA_ENV } });
        for (const [name, actor] of await seedMembers(t.app)) actors.set(name, actor);
      });
      afterAll(async () => {
        await t?.close();
      });

      it("pays each payee once per role, the lines kept as the payment's breakdown", async () => {
        const a = (name: string) => actors.get(name)!;
        const task = await seedTask(t.app, actors);
        // The fan delegates to both nodes (two delegator lines); validator A also delegates to node
        // B (a validator line and a delegator line).
        const before = new Date(DAY0.getTime() - 3600_000);
        for (const [who, key] of [
          ["fan", "fan-to-b"],
          ["valA", "vala-to-b"],
        ] as const)
          await t.app.services.arena.delegate({
            actor: a(who),
            key,
            now: before,
            taskId: task.id,
            role: "node",
            toUserId: a("nodeB").userId,
            amountAtoms: 500n * CLONES,
          });
        const period = { key: "2026-03-01", start: DAY0, end: new Date(DAY0.getTime() + 86_400_000) };
        const run = () =>
          arenaEmissionJob.run({
            period,
            key: `arena-emission:${period.key}`,
            services: t.app.services,
            log: silentLogger,
            now: period.end,
          });
        const first = await run();

        const lines = await t.app.db.prisma.arenaReward.findMany({ where: { amount: { gt: 0 } } });
        const transfers = await t.app.db.prisma.transfer.findMany({
          where: { code: ARENA_CODES.reward },
          include: { creditAccount: true },
        });
        const groups = new Map<string, bigint>();
        for (const line of lines) {
          const group = `${line.userId}:${line.role}`;
          groups.set(group, (groups.get(group) ?? 0n) + BigInt(line.amount.toFixed(0)));
        }
        expect(lines.length).toBeGreaterThan(groups.size);
        expect(transfers).toHaveLength(groups.size);
        expect(first.data).toMatchObject({ paidNow: groups.size });
        for (const transfer of transfers) {
          const meta = transfer.meta as { role: string; lines: Array<{ rewardId: number; atoms: string }> };
          const group = `${transfer.creditAccount.ownerId}:${meta.role}`;
          expect(BigInt(transfer.amount.toFixed(0))).toBe(groups.get(group));
          const own = lines.filter((l) => `${l.userId}:${l.role}` === group);
          expect(meta.lines.map((l) => l.rewardId).sort()).toEqual(own.map((l) => l.id).sort());
          expect(meta.lines.reduce((sum, l) => sum + BigInt(l.atoms), 0n)).toBe(groups.get(group));
        }

        const fan = transfers.filter((tr) => tr.creditAccount.ownerId === String(a("fan").userId));
        expect(fan).toHaveLength(1);
        expect(fan[0]!.memo).toMatch(/^epoch 2026-03-01, delegator: 2 rewards on task \d+ \(\/arena rewards/);
        const valA = transfers.filter((tr) => tr.creditAccount.ownerId === String(a("valA").userId));
        expect(valA.map((tr) => (tr.meta as { role: string }).role).sort()).toEqual([
          "delegator",
          "validator",
        ]);

        // /arena rewards still explains every line.
        const fanRewards = await t.app.services.arena.rewardsOf(t.app.db.prisma, a("fan").userId, period.key);
        expect(fanRewards!.lines.filter((l) => l.amountAtoms > 0n)).toHaveLength(2);
        expect(fanRewards!.totalAtoms).toBe(BigInt(fan[0]!.amount.toFixed(0)));

        const again = await run();
        expect(again.data).toMatchObject({ paidNow: 0 });
        expect(await t.app.db.prisma.transfer.count({ where: { code: ARENA_CODES.reward } })).toBe(
          groups.size,
        );
        expect((await auditLedger(t.app.db)).problems).toEqual([]);
      });
    },
  );
}
