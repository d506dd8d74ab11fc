// Rows that many bot processes create on first use (the token registry at start-up, a new farmer's
// profile at their first payouts) are inserted with ON CONFLICT DO NOTHING. A read-then-insert
// upsert let the slower of two processes starting together crash on the unique key (a CI run saw
// it); here several connections race on a fresh PostgreSQL database, round after round.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "#src/config.ts";
import { type Database, openDatabase } from "#src/db/database.ts";
import { Reputation } from "#src/economy/pools/reputation.ts";
import { Ledger } from "#src/ledger/ledger.ts";
import { DEFAULT_TOKENS, TokenRegistry } from "#src/ledger/tokens.ts";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "#test/helpers/db.ts";

const PROCESSES = 6;
const ROUNDS = 5;
const EXTRA = [{ symbol: "FORGE", decimals: 6 }];

(postgresAvailable() ? describe : describe.skip)(
  "first-use rows created by racing processes [postgres]",
  () => {
    let test: TestDatabase;
    let processes: Database[];
    beforeAll(async () => {
      test = await createTestDatabase("postgres", { poolSize: 2 });
      processes = await Promise.all(
        Array.from({ length: PROCESSES }, () => openDatabase({ url: test.url, poolSize: 2 })),
      );
    });
    afterAll(async () => {
      await Promise.all((processes ?? []).map((db) => db.close()));
      await test?.drop();
    });

    it("every process starting at once loads the same token registry", { timeout: 60_000 }, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        await test.db.prisma.token.deleteMany({}); // a fresh database again: nothing refers to them yet
        const registries = await Promise.all(
          processes.map((db) => db.transaction((tx) => TokenRegistry.load(tx, EXTRA))),
        );
        const expected = [...DEFAULT_TOKENS, ...EXTRA].map((t) => t.symbol).sort();
        for (const registry of registries) expect([...registry.symbols()].sort()).toEqual(expected);
        expect(await test.db.prisma.token.count()).toBe(expected.length);
      }
    });

    it("a new farmer's XP from settlements at once all counts", { timeout: 60_000 }, async () => {
      const tokens = await test.db.transaction((tx) => TokenRegistry.load(tx));
      const config = loadConfig({ DATABASE_URL: test.url, LOG_LEVEL: "silent" });
      const now = new Date("2026-05-01T12:00:00Z");
      for (let round = 0; round < ROUNDS; round++) {
        const farmer = await test.db.prisma.user.create({
          data: { displayName: `farmer ${round}`, createdAt: now },
        });
        const scores = processes.map((_, i) => 60 + i);
        const awarded = await Promise.all(
          processes.map((db, i) =>
            db.transaction((tx) =>
              new Reputation(db, new Ledger(tokens), tokens, config).award(
                tx,
                farmer.id,
                scores[i] ?? 0,
                now,
              ),
            ),
          ),
        );
        const profile = await test.db.prisma.farmerProfile.findUniqueOrThrow({
          where: { userId: farmer.id },
        });
        expect(profile.xp).toBe(awarded.reduce((sum, xp) => sum + xp, 0n));
        expect(profile.xp).toBe(BigInt(scores.reduce((sum, s) => sum + s, 0)));
      }
    });
  },
);
