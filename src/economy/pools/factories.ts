// Factories and their pools (docs/economy.md sections 2 and 3). The Factories service the
// composition root builds and commands call; each request goes to the file that owns it: a
// factory's life (factory-lifecycle.ts), its pool's money (pool-money.ts), read models
// (factory-views.ts), who may change it (factory-access.ts), and its fields' rules
// (factory-fields.ts).
import type { PoolsConfig } from "#src/config/pools.ts";
import type { Clock } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import type { CommissionPolicy } from "#src/economy/ambassadors/commissions.ts";
import { type FactoryRow, findFactory, lockOwned } from "#src/economy/pools/factory-access.ts";
import {
  addTask,
  bidHistory,
  createFactory,
  currentTerms,
  editFactory,
  type SetupKind,
  setBid,
  setStatus,
} from "#src/economy/pools/factory-lifecycle.ts";
import {
  type FactoryView,
  factoryBoard,
  factoryView,
  factoryViews,
  listFactories,
} from "#src/economy/pools/factory-views.ts";
import type { FundingBreakdown, PoolTerms } from "#src/economy/pools/pool-math.ts";
import { fundPool, fundPreview, withdrawFromPool } from "#src/economy/pools/pool-money.ts";
import type { FactoryViewStatus } from "#src/economy/pools/statuses.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";

/** What the factory and pool functions work with. */
export interface FactoryDeps {
  db: Database;
  ledger: Ledger;
  tokens: TokenRegistry;
  commissions: () => CommissionPolicy;
  config: PoolsConfig;
  clock: Clock;
}

/** A request as the function that serves it declares it: one shape, written once. */
type RequestOf<F extends (deps: FactoryDeps, request: never) => unknown> = Parameters<F>[1];

export class Factories {
  readonly #deps: FactoryDeps;

  constructor(
    db: Database,
    ledger: Ledger,
    tokens: TokenRegistry,
    commissions: () => CommissionPolicy,
    config: PoolsConfig,
    clock: Clock,
  ) {
    this.#deps = { db, ledger, tokens, commissions, config, clock };
  }

  /** The terms a pool created now gets, from the deployment's settings and the setup-fee kind. */
  currentTerms(kind?: SetupKind): PoolTerms {
    return currentTerms(this.#deps, kind);
  }

  create(request: RequestOf<typeof createFactory>): Promise<FactoryView> {
    return createFactory(this.#deps, request);
  }

  addTask(request: RequestOf<typeof addTask>): Promise<FactoryView> {
    return addTask(this.#deps, request);
  }

  edit(request: RequestOf<typeof editFactory>): Promise<FactoryView> {
    return editFactory(this.#deps, request);
  }

  /** pause (no new submissions), resume, close (for good; the balance can then be withdrawn). */
  setStatus(request: RequestOf<typeof setStatus>): Promise<FactoryView> {
    return setStatus(this.#deps, request);
  }

  /** A new bid applies to new submissions only; every change is kept. */
  setBid(request: RequestOf<typeof setBid>): Promise<FactoryView> {
    return setBid(this.#deps, request);
  }

  bidHistory(
    db: TxClient,
    factoryId: number,
  ): Promise<Array<{ bidAtoms: bigint; changedByUserId: number; at: Date }>> {
    return bidHistory(db, factoryId);
  }

  /** What funding `amountAtoms` would do, for the confirmation step. */
  fundPreview(
    db: TxClient,
    request: { actor: Actor; factoryId: number; amountAtoms: bigint },
  ): Promise<{ factory: FactoryView; breakdown: FundingBreakdown }> {
    return fundPreview(this.#deps, db, request);
  }

  /** Moves a deposit from the actor's balance into the pool, fees to the platform (and ambassadors). */
  fund(request: RequestOf<typeof fundPool>): Promise<{ breakdown: FundingBreakdown; factory: FactoryView }> {
    return fundPool(this.#deps, request);
  }

  /** The creator takes back the unreserved balance of a paused or closed pool. */
  withdraw(
    request: RequestOf<typeof withdrawFromPool>,
  ): Promise<{ amountAtoms: bigint; factory: FactoryView }> {
    return withdrawFromPool(this.#deps, request);
  }

  find(db: TxClient, factoryId: number): Promise<FactoryRow> {
    return findFactory(db, factoryId);
  }

  /** Locks the factory row for a change and checks the actor may make it. */
  lockOwned(tx: Tx, actor: Actor, factoryId: number, what: string): Promise<FactoryRow> {
    return lockOwned(tx, actor, factoryId, what);
  }

  view(db: TxClient, factoryId: number): Promise<FactoryView> {
    return factoryView(this.#deps, db, factoryId);
  }

  views(db: TxClient, rows: FactoryRow[]): Promise<FactoryView[]> {
    return factoryViews(this.#deps, db, rows);
  }

  /** Factories, newest first: all, one creator's, or by status. */
  list(
    db: TxClient,
    filter: { creatorUserId?: number; status?: FactoryViewStatus } = {},
  ): Promise<FactoryView[]> {
    return listFactories(this.#deps, db, filter);
  }

  /** The board farmers check: live pools with money, by bid (highest first), premium ones only above their bar. */
  board(db: TxClient, reputation: number): Promise<FactoryView[]> {
    return factoryBoard(this.#deps, db, reputation);
  }
}
