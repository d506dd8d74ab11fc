// Every column of the schema that names a user is either moved by /link or deliberately kept, as
// src/identity/user-columns.ts says. The schema is read from Prisma's own data model (the generated
// client's runtimeDataModel), so a column added later fails here until the merge accounts for it.
import type { RuntimeDataModel } from "@prisma/client/runtime/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USER_COLUMNS } from "#src/identity/user-columns.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";

/**
 * Columns ending in Id that hold no user and back no relation field: what they point at instead.
 * A new such column must be added here (or to USER_COLUMNS), so it is a decision, not an accident.
 */
const NOT_USER_IDS: Readonly<Record<string, string>> = {
  "ArenaTask.factoryId": "a factory",
  "DatasetToken.factoryId": "a factory",
  "DatasetToken.bundleId": "a dataset bundle",
  "DatasetBundleMember.factoryId": "a factory",
  "ArenaReward.taskId": "an arena task",
  "ArenaReward.participantId": "an arena participant",
  "Submission.reservationId": "a ledger transfer",
  "Deposit.transferId": "a ledger transfer",
  "PlatformAccount.platformUserId": "the account's id on Discord or Telegram, not one of ours",
  "ReferralInvite.guildId": "the Discord server the invite belongs to",
  "LeaderboardSchedule.channelId": "a Discord channel or a Telegram chat",
  "DatasetVersion.factoryId": "a factory",
  "DatasetVersion.taskId": "a factory's task",
  "DatasetVersionItem.submissionId": "a submission",
};

/** The schema's conventions for an Int column holding a user id: userId, farmerUserId, createdById... */
const NAMES_A_USER = /(^user|User|By)Id$/;

interface SchemaColumns {
  /** Model.field of every column that names a user. */
  userColumns: string[];
  /** Model.field of ...Id columns that are neither a user, a relation's key, nor listed as other ids. */
  unclassified: string[];
  /** Relations to User whose key column could not be found by the naming convention. */
  unresolvedRelations: string[];
}

function userColumnsOf(model: RuntimeDataModel): SchemaColumns {
  const userColumns = new Set<string>();
  const unclassified: string[] = [];
  const unresolvedRelations: string[] = [];
  for (const [modelName, { fields }] of Object.entries(model.models)) {
    const scalars = new Set(fields.filter((f) => f.kind === "scalar").map((f) => f.name));
    // The key column behind each to-one relation, by the schema's convention (user -> userId,
    // referrer -> referrerUserId, debitAccount -> debitAccountId).
    const relationKeys = new Set<string>();
    for (const relation of fields.filter((f) => f.kind === "object" && !f.isList)) {
      const key = [`${relation.name}Id`, `${relation.name}UserId`].find((k) => scalars.has(k));
      if (key) relationKeys.add(key);
      if (relation.type !== "User") continue;
      if (key) userColumns.add(`${modelName}.${key}`);
      else unresolvedRelations.push(`${modelName}.${relation.name}`);
    }
    for (const { name, type } of fields.filter((f) => f.kind === "scalar")) {
      const column = `${modelName}.${name}`;
      if (type === "Int" && NAMES_A_USER.test(name)) userColumns.add(column);
      else if (/Id$/.test(name) && !relationKeys.has(name) && !(column in NOT_USER_IDS))
        unclassified.push(column);
    }
  }
  return {
    userColumns: [...userColumns].sort(),
    unclassified: unclassified.filter((c) => !(c in USER_COLUMNS)).sort(),
    unresolvedRelations,
  };
}

describe("the columns that name a user [pglite]", () => {
  let t: TestApp;
  let schema: SchemaColumns;
  beforeAll(async () => {
    t = await createTestApp("pglite");
    // The generated client keeps the schema's data model on every instance (not on its type).
    schema = userColumnsOf(
      (t.app.db.prisma as unknown as { _runtimeDataModel: RuntimeDataModel })._runtimeDataModel,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it("finds the user columns it knows are there", () => {
    // Guards the detection itself: a relation key, plain ids, an actor column, and the odd names.
    expect(schema.userColumns).toEqual(
      expect.arrayContaining([
        "PlatformAccount.userId",
        "Referral.referrerUserId",
        "Factory.creatorUserId",
        "Submission.farmerUserId",
        "LeaderboardSchedule.createdById",
      ]),
    );
    expect(schema.unresolvedRelations).toEqual([]);
  });

  it("has every user column moved by the merge or listed as kept, and nothing else listed", () => {
    const listed = Object.keys(USER_COLUMNS);
    expect(
      schema.userColumns.filter((c) => !listed.includes(c)),
      "user columns the merge neither moves nor keeps: add them to src/identity/user-columns.ts",
    ).toEqual([]);
    expect(
      schema.unclassified,
      "...Id columns: add them to USER_COLUMNS if they name a user, else to NOT_USER_IDS here",
    ).toEqual([]);
    const known = new Set([...schema.userColumns, ...Object.keys(USER_COLUMNS)]);
    const inSchema = (c: string) => {
      const [model, field] = c.split(".") as [string, string];
      const m = (t.app.db.prisma as unknown as { _runtimeDataModel: RuntimeDataModel })._runtimeDataModel
        .models[model];
      return m?.fields.some((f) => f.name === field && f.kind === "scalar") ?? false;
    };
    expect(
      [...known].filter((c) => !inSchema(c)),
      "listed columns that are not in the schema",
    ).toEqual([]);
  });
});
