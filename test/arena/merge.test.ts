// /link merges two members: their arena stakes, nodes and validators follow the money, so a
// withdrawn stake is still returned after the epoch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stakeAccount } from "#src/arena/types.ts";
import type { Actor } from "#src/core/context.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";

const CLONES = 10n ** 9n;

describe("linking accounts in the arena [pglite]", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  const mod: Actor = {
    userId: 0,
    displayName: "m",
    isModerator: true,
    platform: "console",
    platformUserId: "m",
  };
  const member = async (platform: "discord" | "telegram", id: string): Promise<Actor> => {
    const u = await t.app.services.identity.ensureUser({ platform, id, displayName: id });
    await t.app.services.funds.credit({
      actor: mod,
      key: `c-${id}`,
      userId: u.userId,
      token: "CLONES",
      amountAtoms: 100n * CLONES,
      reason: "t",
    });
    return { ...u, isModerator: false, platform, platformUserId: id };
  };

  it("moves stakes and participants to the remaining member, joining same-role participants", async () => {
    const { identity, arena } = t.app.services;
    const dc = await member("discord", "dc");
    const tg = await member("telegram", "tg");
    const other = await member("discord", "other");
    const now = new Date("2026-01-01T00:00:00Z");
    const task = await arena.createTask({ actor: tg, key: "task", now, title: "T" });
    await arena.stake({
      actor: dc,
      key: "s1",
      now,
      taskId: task.id,
      role: "node",
      amountAtoms: 10n * CLONES,
    });
    await arena.stake({
      actor: tg,
      key: "s2",
      now,
      taskId: task.id,
      role: "node",
      amountAtoms: 20n * CLONES,
    });
    await arena.stake({
      actor: tg,
      key: "s3",
      now,
      taskId: task.id,
      role: "validator",
      amountAtoms: 5n * CLONES,
    });
    await arena.stake({
      actor: other,
      key: "s4",
      now,
      taskId: task.id,
      role: "node",
      amountAtoms: 5n * CLONES,
    });
    await arena.delegate({
      actor: tg,
      key: "d1",
      now,
      taskId: task.id,
      role: "node",
      toUserId: other.userId,
      amountAtoms: 7n * CLONES,
    });

    const { code } = await t.app.db.transaction((tx) =>
      identity.createLinkCode(tx, dc.userId, "discord", now),
    );
    await t.app.db.transaction((tx) => identity.redeemLinkCode(tx, tg.userId, code, now));

    const info = await arena.taskInfo(t.app.db.prisma, task.id);
    expect(info.nodes.find((n) => n.userId === dc.userId)?.ownAtoms).toBe(30n * CLONES);
    expect(info.validators.map((v) => v.userId)).toEqual([dc.userId]);
    expect(info.nodes.find((n) => n.userId === other.userId)?.delegatedAtoms).toBe(7n * CLONES);
    expect((await t.app.db.prisma.arenaTask.findFirstOrThrow()).creatorId).toBe(dc.userId);
    expect(await t.app.db.prisma.arenaStake.count({ where: { userId: tg.userId } })).toBe(0);
    // The node emptied into the survivor's is gone: nothing recorded under it.
    expect(await t.app.db.prisma.arenaParticipant.count({ where: { userId: tg.userId } })).toBe(0);

    const stakeHeld = await t.app.services.ledger.balance(t.app.db.prisma, stakeAccount(dc.userId, "CLONES"));
    expect(stakeHeld.balanceAtoms).toBe(42n * CLONES);

    // Withdrawn and released by the next epoch: the money returns to the remaining member.
    const later = new Date("2026-01-01T12:00:00Z");
    await arena.unstake({ actor: dc, key: "u1", now: later, taskId: task.id, role: "node" });
    await arena.runEpoch({
      key: "arena-emission:2026-01-01",
      period: { key: "2026-01-01", start: now, end: new Date("2026-01-02T00:00:00Z") },
      now: later,
    });
    const main = await t.app.services.ledger.balance(t.app.db.prisma, accounts.user(dc.userId, "CLONES"));
    expect(main.balanceAtoms).toBe(200n * CLONES - 42n * CLONES + 30n * CLONES);
    expect((await auditLedger(t.app.db)).ok).toBe(true);
  });

  it("refuses a link while an epoch's rewards are unpaid, changing nothing", async () => {
    const { identity, arena } = t.app.services;
    const stay = await member("discord", "wait_dc");
    const leave = await member("telegram", "wait_tg");
    const now = new Date("2026-01-03T00:00:00Z");
    const task = await arena.createTask({ actor: stay, key: "wait-task", now, title: "W" });
    await arena.stake({
      actor: leave,
      key: "wait-s",
      now,
      taskId: task.id,
      role: "node",
      amountAtoms: CLONES,
    });
    // An epoch between its snapshot and its payment: its lines would pay the old account.
    await t.app.db.prisma.arenaEpoch.create({
      data: {
        key: "arena-emission:2026-01-03",
        periodKey: "2026-01-03",
        periodStart: now,
        periodEnd: new Date("2026-01-04T00:00:00Z"),
        token: "CLONES",
        emission: "0",
        params: {},
        snapshot: {},
        status: "computed",
        createdAt: now,
      },
    });
    const { code } = await t.app.db.transaction((tx) =>
      identity.createLinkCode(tx, stay.userId, "discord", now),
    );
    await expect(
      t.app.db.transaction((tx) => identity.redeemLinkCode(tx, leave.userId, code, now)),
    ).rejects.toMatchObject({ code: "link_pending" });
    expect(await identity.platformsOf(t.app.db.prisma, leave.userId)).toHaveLength(1);
    expect(await t.app.db.prisma.arenaStake.count({ where: { userId: leave.userId } })).toBe(1);
  });
});
