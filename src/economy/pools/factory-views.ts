// Read models of factories: a row with its tasks, its pool's balance (reserved and unreserved), the
// demonstrations it still pays for, and its counts; lists of them, and the board farmers check.
// A live pool that cannot pay its bid reads as out_of_funds; no row is ever written with it.
import type { TxClient } from "#src/db/database.ts";
import type { FactoryDeps } from "#src/economy/pools/factories.ts";
import { type FactoryRow, findFactory } from "#src/economy/pools/factory-access.ts";
import type { Limits } from "#src/economy/pools/factory-fields.ts";
import type { PoolTerms } from "#src/economy/pools/pool-math.ts";
import { premiumUntil, reputationBar } from "#src/economy/pools/premium.ts";
import { type FactoryStatus, type FactoryViewStatus, factoryStatus } from "#src/economy/pools/statuses.ts";
import { accounts } from "#src/ledger/accounts.ts";

export interface FactoryView {
  id: number;
  creatorUserId: number;
  name: string;
  description: string;
  token: string;
  bidAtoms: bigint;
  status: FactoryViewStatus;
  /** Whether the pool ever received money: a new one is waiting for funds, not out of them. */
  everFunded: boolean;
  terms: PoolTerms;
  setupFeePaid: boolean;
  limits: Required<Limits>;
  /** The reputation a farmer needs now to see and enter it (null: open to all). */
  reputationBar: number | null;
  /** When a premium-first factory opens to everyone (null: not premium first, or not funded yet). */
  premiumUntil: Date | null;
  tasks: Array<{ id: number; ref: string; title: string; app: string; objectives: string[] }>;
  balanceAtoms: bigint;
  reservedAtoms: bigint;
  availableAtoms: bigint;
  /** Demonstrations the unreserved balance pays for at the current bid. */
  fundedDemonstrations: bigint;
  received: number;
  paid: number;
}

export async function factoryView(deps: FactoryDeps, db: TxClient, factoryId: number): Promise<FactoryView> {
  const row = await findFactory(db, factoryId);
  const [view] = await factoryViews(deps, db, [row]);
  return view!;
}

export async function factoryViews(
  deps: FactoryDeps,
  db: TxClient,
  rows: FactoryRow[],
): Promise<FactoryView[]> {
  if (rows.length === 0) return [];
  const now = deps.clock.now();
  const ids = rows.map((r) => r.id);
  const tasks = await db.factoryTask.findMany({
    where: { factoryId: { in: ids } },
    orderBy: { id: "asc" },
  });
  const counts = await db.$queryRawUnsafe<Array<{ factory_id: number; received: number; paid: number }>>(
    `SELECT factory_id, COUNT(*)::int AS received,
              COUNT(*) FILTER (WHERE status = 'settled' AND paid_gross_atoms > 0)::int AS paid
       FROM submissions WHERE factory_id = ANY($1::int[]) GROUP BY factory_id`,
    ids,
  );
  const out: FactoryView[] = [];
  for (const row of rows) {
    const balance = await deps.ledger.balance(db, accounts.pool(row.id, row.token));
    const bidAtoms = BigInt(row.bidAtoms.toFixed());
    const count = counts.find((c) => c.factory_id === row.id);
    const stored = factoryStatus(row);
    const status: FactoryViewStatus =
      stored === "live" && balance.availableAtoms < bidAtoms ? "out_of_funds" : stored;
    out.push({
      id: row.id,
      creatorUserId: row.creatorUserId,
      name: row.name,
      description: row.description,
      token: row.token,
      bidAtoms,
      status,
      everFunded: row.firstFundedAt !== null,
      terms: termsOf(row),
      setupFeePaid: row.setupFeePaid,
      limits: {
        limitPerFarmerTask: row.limitPerFarmerTask,
        limitPerDay: row.limitPerDay,
        limitTotal: row.limitTotal,
        minReputation: row.minReputation,
        premiumHours: row.premiumHours,
        playgroundTop: row.playgroundTop,
      },
      reputationBar: reputationBar(row, now),
      premiumUntil: premiumUntil(row),
      tasks: tasks
        .filter((t) => t.factoryId === row.id)
        .map((t) => ({
          id: t.id,
          ref: t.ref,
          title: t.title,
          app: t.app,
          objectives: t.objectives as string[],
        })),
      balanceAtoms: balance.balanceAtoms,
      reservedAtoms: balance.pendingAtoms,
      availableAtoms: balance.availableAtoms,
      fundedDemonstrations: bidAtoms > 0n ? balance.availableAtoms / bidAtoms : 0n,
      received: count?.received ?? 0,
      paid: count?.paid ?? 0,
    });
  }
  return out;
}

/** Factories, newest first: all, one creator's, or by status. */
export async function listFactories(
  deps: FactoryDeps,
  db: TxClient,
  filter: { creatorUserId?: number; status?: FactoryViewStatus } = {},
): Promise<FactoryView[]> {
  const rows = await db.factory.findMany({
    where: filter.creatorUserId === undefined ? {} : { creatorUserId: filter.creatorUserId },
    orderBy: { id: "desc" },
    take: 200,
  });
  const views = await factoryViews(deps, db, rows);
  return filter.status ? views.filter((v) => v.status === filter.status) : views;
}

/** The board farmers check: live pools with money, by bid (highest first), premium ones only above their bar. */
export async function factoryBoard(
  deps: FactoryDeps,
  db: TxClient,
  reputation: number,
): Promise<FactoryView[]> {
  const rows = await db.factory.findMany({
    where: { status: "live" satisfies FactoryStatus },
    orderBy: { id: "asc" },
  });
  const views = await factoryViews(deps, db, rows);
  return views
    .filter((v) => v.status === "live" && (v.reputationBar ?? 0) <= reputation)
    .sort((a, b) => (a.bidAtoms === b.bidAtoms ? a.id - b.id : a.bidAtoms > b.bidAtoms ? -1 : 1));
}

export function termsOf(row: FactoryRow): PoolTerms {
  return {
    policy: row.feePolicy as PoolTerms["policy"],
    depositFeePercent: row.depositFeePercent,
    setupFeeAtoms: BigInt(row.setupFeeAtoms.toFixed()),
    setupFeeToken: row.setupFeeToken,
    rewardFeePercent: row.rewardFeePercent,
  };
}
