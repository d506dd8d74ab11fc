// What ambassadors cost a settlement: rewards settled per second (the test harness's settlement on
// the real ledger: post the reservation, pay farmer, commissions and protocol) when both the farmer
// and the creator were referred by staked ambassadors (two referral reads and the FOR SHARE lock of
// the stake rows), against the ceiling of the same settlement with nobody referred, measured in the
// same run. One at a time and 4 at once; on PostgreSQL the 4 share the same ambassadors, so the
// share locks must not serialize them. Reservations are made before the clock starts.
import { loadConfig } from "#src/config.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { silentLogger } from "#src/log.ts";
import { createServices } from "#src/services.ts";
import {
  fundPool,
  member,
  type Reservation,
  refer,
  reserveSubmission,
  settleSubmission,
  stakeToTier,
} from "#test/economy/ambassador-harness.ts";
import {
  type BenchRow,
  concurrentOpsPerSecond,
  defineSuite,
  onEachDatabase,
  opsPerSecond,
} from "./harness.ts";

const CLIENTS = 4;

async function benchKind(
  kind: DatabaseKind,
  ctx: Parameters<Parameters<typeof defineSuite>[0]["run"]>[0],
): Promise<BenchRow[]> {
  const { db, url, drop } = await ctx.database(kind, CLIENTS + 4);
  try {
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent", REFERRAL_DAILY_CAP: "100000" });
    const services = await createServices(config, db, silentLogger);
    const perCase = ctx.quick ? 16 : 64;
    const ambassador = await member(services, "amb");
    const creatorAmbassador = await member(services, "camb");
    await stakeToTier(services, ambassador, 5);
    await stakeToTier(services, creatorAmbassador, 3);
    const referredCreator = await member(services, "rcreator");
    const plainCreator = await member(services, "pcreator");
    await refer(services, referredCreator, creatorAmbassador);
    const pools = {
      referred: await fundPool(services, referredCreator, "USDC", 10n ** 12n),
      plain: await fundPool(services, plainCreator, "USDC", 10n ** 12n),
    };
    const prepare = async (label: string, referred: boolean, count: number) => {
      const list: Reservation[] = [];
      for (let i = 0; i < count; i++) {
        const farmer = await member(services, `${label}${i}`);
        if (referred) await refer(services, farmer, ambassador);
        list.push(
          await reserveSubmission(services, {
            poolId: referred ? pools.referred : pools.plain,
            creator: referred ? referredCreator : plainCreator,
            farmer,
            token: "USDC",
            bidAtoms: 200_000n,
            quality: 87,
          }),
        );
      }
      return list;
    };
    const rows: BenchRow[] = [];
    for (const clients of [1, CLIENTS]) {
      const plain = await prepare(`p${clients}-`, false, perCase);
      const referred = await prepare(`r${clients}-`, true, perCase);
      const run = (list: Reservation[]) =>
        clients === 1
          ? opsPerSecond(list.length, async (i) => {
              await settleSubmission(services, list[i]!);
            })
          : concurrentOpsPerSecond(clients, list.length / clients, async (c, i) => {
              await settleSubmission(services, list[c * (list.length / clients) + i]!);
            });
      const ceiling = await run(plain);
      const value = await run(referred);
      rows.push({
        suite: "ambassadors",
        case: `settle, both referred, ${clients} at once`,
        database: kind,
        value,
        unit: "settlements/s",
        ceiling,
        ratio: value / ceiling,
        notes: "ceiling: the same settlement with nobody referred",
      });
    }
    return rows;
  } finally {
    await drop();
  }
}

export default defineSuite({
  name: "ambassadors",
  description: "Settlements per second with ambassadors' commissions (tier locks) against none",
  run: (ctx) => onEachDatabase(ctx, benchKind),
});
