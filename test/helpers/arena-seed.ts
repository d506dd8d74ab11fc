// The arena of docs/economy.md's acceptance vector, staked through the services: two nodes, three
// validators and a delegator on one task, submissions and scores inside the epoch 2026-03-01.
// Seeding two databases with it gives them the same users (ids) and the same epoch.
import { Decimal } from "decimal.js";
import type { App } from "#src/app.ts";
import type { Actor } from "#src/core/context.ts";

/** The settings the seed's numbers are computed with (children get them too). */
export const ARENA_ENV = {
  ARENA_EMISSION: "309157.68",
  ARENA_SCORE_MODE: "score",
  ARENA_GAMMA: "0",
} as const;
export const ARENA_EMISSION_ATOMS = 309_157_680n * 10n ** 6n; // CLONES has 9 decimals
const CLONES = 10n ** 9n;
const DAY0 = new Date("2026-03-01T00:00:00Z");

/** The seed's six members, each credited 10,000 CLONES. */
export async function seedMembers(app: App): Promise<Map<string, Actor>> {
  const { identity, funds } = app.services;
  const moderator: Actor = {
    userId: 0,
    displayName: "mod",
    isModerator: true,
    platform: "console",
    platformUserId: "mod",
  };
  const actors = new Map<string, Actor>();
  let n = 0;
  for (const name of ["nodeA", "nodeB", "valA", "valB", "valC", "fan"]) {
    const user = await identity.ensureUser({
      platform: "console",
      id: name,
      username: name,
      displayName: name,
    });
    actors.set(name, { ...user, isModerator: false, platform: "console", platformUserId: name });
    await funds.credit({
      actor: moderator,
      key: `seed-member-${++n}`,
      userId: user.userId,
      token: "CLONES",
      amountAtoms: 10_000n * CLONES,
      reason: "seed",
    });
  }
  return actors;
}

/**
 * The seed's task, staked the day before DAY0 (so it counts on DAY0), with both submissions and
 * every validator's scores inside the epoch of DAY0. Node A shares 60% with its delegator.
 */
export async function seedTask(app: App, actors: Map<string, Actor>): Promise<{ id: number }> {
  const { arena } = app.services;
  let n = 0;
  const key = () => `seed-task-${++n}`;
  const a = (name: string) => actors.get(name) as Actor;
  const before = new Date(DAY0.getTime() - 3600_000);
  const during = new Date(DAY0.getTime() + 3600_000);
  const task = await arena.createTask({ actor: a("nodeA"), key: key(), now: before, title: "Seed task" });
  const stake = (name: string, role: "node" | "validator", amount: bigint) =>
    arena.stake({
      actor: a(name),
      key: key(),
      now: before,
      taskId: task.id,
      role,
      amountAtoms: amount * CLONES,
    });
  await stake("nodeA", "node", 3000n);
  await stake("nodeB", "node", 3500n);
  await stake("valA", "validator", 3000n);
  await stake("valB", "validator", 6000n);
  await stake("valC", "validator", 3000n);
  await arena.delegate({
    actor: a("fan"),
    key: key(),
    now: before,
    taskId: task.id,
    role: "node",
    toUserId: a("nodeA").userId,
    amountAtoms: 1000n * CLONES,
  });
  await arena.setShare({
    actor: a("nodeA"),
    key: key(),
    now: before,
    taskId: task.id,
    role: "node",
    ratio: new Decimal("0.6"),
  });
  await arena.submit({ actor: a("nodeA"), key: key(), now: during, taskId: task.id, modelRef: "hf://a" });
  await arena.submit({ actor: a("nodeB"), key: key(), now: during, taskId: task.id, modelRef: "hf://b" });
  for (const v of ["valA", "valB", "valC"]) {
    for (const [node, score] of [
      ["nodeA", "0.501435"],
      ["nodeB", "0.498565"],
    ] as const) {
      await arena.score({
        actor: a(v),
        key: key(),
        now: during,
        taskId: task.id,
        nodeUserId: a(node).userId,
        score: new Decimal(score),
      });
    }
  }
  return task;
}

/** Members and task together; returns each member's user id by name. */
export async function seedArena(app: App): Promise<Map<string, number>> {
  const actors = await seedMembers(app);
  await seedTask(app, actors);
  return new Map([...actors].map(([name, actor]) => [name, actor.userId]));
}
