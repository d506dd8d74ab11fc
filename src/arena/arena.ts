// The arena's actions: tasks, stakes, delegations, reward-sharing ratios, submissions and scores.
// Stake money moves from the member's main balance to their arena stake account (one per member
// and token; the rows of arena_stakes say what it backs) and back when a withdrawal is settled.
// A stake or delegation counts from the next epoch on, and a withdrawal from the next epoch on:
// the money stays staked until the epoch job has settled the epoch it last counted in.
// This class is the one door; each action lives in the file of its seam (tasks, stakes,
// withdrawals, submissions, views, merge).
import type { Decimal } from "decimal.js";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import { type EmissionSettings, type EpochReport, runArenaEpoch } from "./emission.ts";
import { mergeUsers } from "./merge.ts";
import * as stakes from "./stakes.ts";
import * as submissions from "./submissions.ts";
import * as tasks from "./tasks.ts";
import type { ActionBase, ArenaDeps, ParticipantRole } from "./types.ts";
import * as views from "./views.ts";
import * as withdrawals from "./withdrawals.ts";

export class Arena {
  readonly #deps: ArenaDeps;

  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    /** The token, the emission per epoch and the reward parameters of this deployment. */
    readonly settings: EmissionSettings,
  ) {
    this.#deps = { db, ledger, token: settings.token };
  }

  /** The token staked and paid in the arena. */
  get token(): string {
    return this.settings.token;
  }

  /** Runs (or resumes) the epoch of one job run; see emission.ts. Stops between batches on `signal`. */
  async runEpoch(run: {
    key: string;
    period: { key: string; start: Date; end: Date };
    now: Date;
    signal?: AbortSignal;
  }): Promise<EpochReport> {
    const token = await this.db.transaction((tx) => this.tokens.resolve(tx.db, this.token));
    return runArenaEpoch(
      { db: this.db, ledger: this.ledger, tokenDecimals: token.decimals },
      run,
      this.settings,
    );
  }

  createTask(request: ActionBase & { title: string; description?: string; factoryId?: number }) {
    return tasks.createTask(this.#deps, request);
  }

  listTasks(db: TxClient, page: { limit: number; offset: number }) {
    return views.listTasks(db, page);
  }

  taskInfo(db: TxClient, taskId: number) {
    return views.taskInfo(db, taskId);
  }

  /** Stakes `amountAtoms` as the actor's node or validator on a task (joining it the first time). */
  stake(request: ActionBase & { taskId: number; role: ParticipantRole; amountAtoms: bigint }) {
    return stakes.stake(this.#deps, request);
  }

  /** Withdraws the actor's whole own stake as node or validator; it stops counting next epoch. */
  unstake(request: ActionBase & { taskId: number; role: ParticipantRole }) {
    return withdrawals.unstake(this.#deps, request);
  }

  /** Delegates to another member's node or validator on a task. */
  delegate(
    request: ActionBase & { taskId: number; role: ParticipantRole; toUserId: number; amountAtoms: bigint },
  ) {
    return stakes.delegate(this.#deps, request);
  }

  /** Withdraws all the actor's delegation to one node or validator; it stops counting next epoch. */
  undelegate(request: ActionBase & { taskId: number; role: ParticipantRole; toUserId: number }) {
    return withdrawals.undelegate(this.#deps, request);
  }

  /** Sets the reward-sharing ratio (1 - sigma) of the actor's node or validator; once per 30 days. */
  setShare(request: ActionBase & { taskId: number; role: ParticipantRole; ratio: Decimal }) {
    return stakes.setShare(this.#deps, request);
  }

  /** Records the actor's node's model for this epoch (the latest one in an epoch is scored). */
  submit(request: ActionBase & { taskId: number; modelRef: string }) {
    return submissions.submit(this.#deps, request);
  }

  /** The actor's validator scores a node's latest submission, 0 to 1; scoring again replaces it. */
  score(request: ActionBase & { taskId: number; nodeUserId: number; score: Decimal }) {
    return submissions.score(this.#deps, request);
  }

  /** A member's rewards in one epoch (by period key; the latest they earned in by default). */
  rewardsOf(db: TxClient, userId: number, periodKey?: string) {
    return views.rewardsOf(db, userId, periodKey);
  }

  /** /link merged member `from` into `into`; see merge.ts. */
  mergeUsers(tx: Tx, from: number, into: number): Promise<void> {
    return mergeUsers(tx, from, into);
  }

  /** The token the arena stakes and pays, as registered. */
  tokenInfo() {
    return this.tokens.get(this.token);
  }
}
