// The arena's actions: tasks, stakes, delegations, reward-sharing ratios, submissions and scores.
// Stake money moves from the member's main balance to their arena stake account (one per member
// and token; the rows of arena_stakes say what it backs) and back when a withdrawal is settled.
// A stake or delegation counts from the next epoch on, and a withdrawal from the next epoch on:
// the money stays staked until the epoch job has settled the epoch it last counted in.
import { Decimal } from "decimal.js";
import type { Actor } from "#src/core/context.ts";
import { notFound, UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import { type EmissionSettings, type EpochReport, runArenaEpoch } from "./emission.ts";

export type ParticipantRole = "node" | "validator";

export const ARENA_CODES = {
  stake: "arena.stake",
  release: "arena.unstake",
  reward: "arena.reward",
} as const;

/** The reward-sharing ratio (1 - sigma) of a new node or validator. */
export const DEFAULT_SHARE_RATIO = "0.5";
export const SHARE_COOLDOWN_DAYS = 30;
export const MAX_TITLE_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
export const MAX_MODEL_REF_LENGTH = 300;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A share ratio or a score: from 0 to 1, with at most 9 decimals (what is stored). */
const isFractionOfOne = (value: Decimal): boolean =>
  !value.isNaN() && value.gte(0) && value.lte(1) && value.decimalPlaces() <= 9;

export const stakeAccount = (userId: number, token: string) =>
  accounts.userPurpose(userId, token, "arena_stake");

export interface TaskView {
  id: number;
  title: string;
  description: string | null;
  factoryId: number | null;
  creatorId: number;
  createdAt: Date;
}

export interface ParticipantView {
  participantId: number;
  userId: number;
  role: ParticipantRole;
  ownAtoms: bigint;
  delegatedAtoms: bigint;
  delegators: number;
  /** 1 - sigma, as members see it. */
  shareRatio: string;
}

export interface TaskInfo extends TaskView {
  nodes: ParticipantView[];
  validators: ParticipantView[];
  stakeAtoms: bigint;
}

export interface RewardLine {
  taskId: number;
  participantId: number;
  role: "node" | "validator" | "delegator";
  amountAtoms: bigint;
  paid: boolean;
  /** For nodes and validators: the stored breakdown (exact figures in atoms, as text). */
  breakdown?: {
    effectiveStake: string;
    consensusScore?: string;
    rank?: number;
    quality: string;
    share: string;
    own: string;
    delegators: string;
    ownAtoms: string;
    delegatorsAtoms: string;
  };
}

interface ActionBase {
  actor: Actor;
  /** The event's idempotency key. */
  key: string;
  now: Date;
}

export class Arena {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: TokenRegistry,
    /** The token, the emission per epoch and the reward parameters of this deployment. */
    readonly settings: EmissionSettings,
  ) {}

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

  async createTask(
    request: ActionBase & { title: string; description?: string; factoryId?: number },
  ): Promise<TaskView> {
    const title = request.title.trim();
    const description = request.description?.trim() || null;
    if (!title)
      throw new UserError("missing_option", 'Give the task a title, e.g. title:"Summarize support tickets".');
    if (title.length > MAX_TITLE_LENGTH)
      throw new UserError("invalid_option", `A title is at most ${MAX_TITLE_LENGTH} characters.`);
    if (description && description.length > MAX_DESCRIPTION_LENGTH)
      throw new UserError("invalid_option", `A description is at most ${MAX_DESCRIPTION_LENGTH} characters.`);
    if (
      request.factoryId !== undefined &&
      (!Number.isSafeInteger(request.factoryId) || request.factoryId <= 0)
    )
      throw new UserError("invalid_option", "factory: give the number of a factory, e.g. factory:3.");
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "arena.task.create",
          key: request.key,
          input: { userId: request.actor.userId, title, description, factoryId: request.factoryId ?? null },
        },
        async () => {
          const row = await tx.db.arenaTask.create({
            data: {
              creatorId: request.actor.userId,
              title,
              description,
              factoryId: request.factoryId ?? null,
              createdAt: request.now,
            },
          });
          return toTaskView(row);
        },
      ),
    );
    return result;
  }

  async listTasks(
    db: TxClient,
    page: { limit: number; offset: number },
  ): Promise<{ items: Array<TaskView & { stakeAtoms: bigint; participants: number }>; total: number }> {
    const [rows, total] = await Promise.all([
      db.arenaTask.findMany({ orderBy: { id: "desc" }, skip: page.offset, take: page.limit }),
      db.arenaTask.count(),
    ]);
    const ids = rows.map((r) => r.id);
    const stakes =
      ids.length === 0
        ? []
        : await db.$queryRawUnsafe<Array<{ task_id: number; stake: string; participants: number }>>(
            `SELECT p.task_id, COALESCE(SUM(s.amount), 0)::text AS stake, COUNT(DISTINCT p.id)::int AS participants
             FROM arena_participants p LEFT JOIN arena_stakes s ON s.participant_id = p.id AND s.withdrawn_at IS NULL
             WHERE p.task_id = ANY($1::int[]) GROUP BY p.task_id`,
            ids,
          );
    const byTask = new Map(stakes.map((s) => [s.task_id, s]));
    return {
      items: rows.map((row) => ({
        ...toTaskView(row),
        stakeAtoms: BigInt(byTask.get(row.id)?.stake ?? "0"),
        participants: byTask.get(row.id)?.participants ?? 0,
      })),
      total,
    };
  }

  async taskInfo(db: TxClient, taskId: number): Promise<TaskInfo> {
    const task = await this.requireTask(db, taskId);
    const rows = await db.$queryRawUnsafe<
      Array<{
        id: number;
        user_id: number;
        role: string;
        sigma: string;
        own: string;
        delegated: string;
        delegators: number;
      }>
    >(
      `SELECT p.id, p.user_id, p.role, p.sigma::text AS sigma,
              COALESCE(SUM(s.amount) FILTER (WHERE s.kind = 'own'), 0)::text AS own,
              COALESCE(SUM(s.amount) FILTER (WHERE s.kind = 'delegation'), 0)::text AS delegated,
              COUNT(DISTINCT s.user_id) FILTER (WHERE s.kind = 'delegation')::int AS delegators
       FROM arena_participants p LEFT JOIN arena_stakes s ON s.participant_id = p.id AND s.withdrawn_at IS NULL
       WHERE p.task_id = $1 GROUP BY p.id ORDER BY p.id`,
      taskId,
    );
    const views = rows.map(
      (r): ParticipantView => ({
        participantId: r.id,
        userId: r.user_id,
        role: r.role as ParticipantRole,
        ownAtoms: BigInt(r.own),
        delegatedAtoms: BigInt(r.delegated),
        delegators: r.delegators,
        shareRatio: new Decimal(1).minus(r.sigma).toString(),
      }),
    );
    const active = (v: ParticipantView) => v.ownAtoms + v.delegatedAtoms > 0n;
    return {
      ...toTaskView(task),
      nodes: views.filter((v) => v.role === "node" && active(v)),
      validators: views.filter((v) => v.role === "validator" && active(v)),
      stakeAtoms: views.reduce((s, v) => s + v.ownAtoms + v.delegatedAtoms, 0n),
    };
  }

  /** Stakes `amountAtoms` as the actor's node or validator on a task (joining it the first time). */
  async stake(
    request: ActionBase & { taskId: number; role: ParticipantRole; amountAtoms: bigint },
  ): Promise<{ participantId: number; ownAtoms: bigint; balanceAtoms: bigint }> {
    const { actor, taskId, role, amountAtoms } = request;
    requirePositive(amountAtoms);
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "arena.stake",
          key: request.key,
          input: { userId: actor.userId, taskId, role, amountAtoms },
        },
        async () => {
          await this.requireTask(tx.db, taskId);
          // Insert-if-missing (ON CONFLICT DO NOTHING), then read: a first stake sent twice at once
          // must not fail on the participant's unique key.
          await tx.db.arenaParticipant.createMany({
            data: [
              {
                taskId,
                userId: actor.userId,
                role,
                sigma: new Decimal(1).minus(DEFAULT_SHARE_RATIO).toString(),
                createdAt: request.now,
              },
            ],
            skipDuplicates: true,
          });
          const participant = await tx.db.arenaParticipant.findUniqueOrThrow({
            where: { taskId_userId_role: { taskId, userId: actor.userId, role } },
          });
          await this.moveIn(tx, request, participant.id, "own", `arena task ${taskId}, ${role} stake`);
          const own = await this.openStake(tx.db, actor.userId, participant.id, "own");
          const balance = await this.ledger.balance(tx.db, accounts.user(actor.userId, this.token));
          return { participantId: participant.id, ownAtoms: own, balanceAtoms: balance.balanceAtoms };
        },
      ),
    );
    return result;
  }

  /** Withdraws the actor's whole own stake as node or validator; it stops counting next epoch. */
  unstake(
    request: ActionBase & { taskId: number; role: ParticipantRole },
  ): Promise<{ withdrawnAtoms: bigint }> {
    return this.withdraw(request, request.actor.userId, "own");
  }

  /** Delegates to another member's node or validator on a task. */
  async delegate(
    request: ActionBase & { taskId: number; role: ParticipantRole; toUserId: number; amountAtoms: bigint },
  ): Promise<{ participantId: number; delegatedAtoms: bigint; balanceAtoms: bigint }> {
    const { actor, taskId, role, toUserId, amountAtoms } = request;
    requirePositive(amountAtoms);
    if (toUserId === actor.userId)
      throw new UserError(
        "invalid_option",
        `You cannot delegate to yourself: use /arena stake ${role} to add to your own stake.`,
      );
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "arena.delegate",
          key: request.key,
          input: { userId: actor.userId, taskId, role, toUserId, amountAtoms },
        },
        async () => {
          const participant = await this.requireParticipant(tx.db, taskId, toUserId, role);
          await this.moveIn(tx, request, participant.id, "delegation", `arena task ${taskId}, delegation`);
          const delegated = await this.openStake(tx.db, actor.userId, participant.id, "delegation");
          const balance = await this.ledger.balance(tx.db, accounts.user(actor.userId, this.token));
          return {
            participantId: participant.id,
            delegatedAtoms: delegated,
            balanceAtoms: balance.balanceAtoms,
          };
        },
      ),
    );
    return result;
  }

  /** Withdraws all the actor's delegation to one node or validator; it stops counting next epoch. */
  undelegate(
    request: ActionBase & { taskId: number; role: ParticipantRole; toUserId: number },
  ): Promise<{ withdrawnAtoms: bigint }> {
    return this.withdraw(request, request.toUserId, "delegation");
  }

  /** Sets the reward-sharing ratio (1 - sigma) of the actor's node or validator; once per 30 days. */
  async setShare(
    request: ActionBase & { taskId: number; role: ParticipantRole; ratio: Decimal },
  ): Promise<{ shareRatio: string; nextChangeAt: Date }> {
    const { actor, taskId, role, ratio } = request;
    if (!isFractionOfOne(ratio))
      throw new UserError(
        "invalid_option",
        "ratio: write the share for your delegators between 0 and 1 (at most 9 decimals), e.g. ratio:0.6 for 60%.",
      );
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "arena.share",
          key: request.key,
          input: { userId: actor.userId, taskId, role, ratio: ratio.toString() },
        },
        async () => {
          const participant = await this.requireParticipant(tx.db, taskId, actor.userId, role, true);
          if (participant.sigmaSetAt) {
            const next = new Date(participant.sigmaSetAt.getTime() + SHARE_COOLDOWN_DAYS * DAY_MS);
            if (next > request.now)
              throw new UserError(
                "too_soon",
                `The sharing ratio changes at most once per ${SHARE_COOLDOWN_DAYS} days; you can change it again from ${next.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
                { nextChangeAt: next.toISOString() },
              );
          }
          await tx.db.arenaParticipant.update({
            where: { id: participant.id },
            data: { sigma: new Decimal(1).minus(ratio).toString(), sigmaSetAt: request.now },
          });
          return {
            shareRatio: ratio.toString(),
            nextChangeAt: new Date(request.now.getTime() + SHARE_COOLDOWN_DAYS * DAY_MS),
          };
        },
      ),
    );
    return result;
  }

  /** Records the actor's node's model for this epoch (the latest one in an epoch is scored). */
  async submit(
    request: ActionBase & { taskId: number; modelRef: string },
  ): Promise<{ submissionId: number }> {
    const modelRef = request.modelRef.trim();
    if (!modelRef)
      throw new UserError(
        "missing_option",
        'Give your model\'s reference, e.g. model:"hf.co/alice/model@v3".',
      );
    if (modelRef.length > MAX_MODEL_REF_LENGTH)
      throw new UserError(
        "invalid_option",
        `A model reference is at most ${MAX_MODEL_REF_LENGTH} characters.`,
      );
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "arena.submit",
          key: request.key,
          input: { userId: request.actor.userId, taskId: request.taskId, modelRef },
        },
        async () => {
          const node = await this.requireParticipant(
            tx.db,
            request.taskId,
            request.actor.userId,
            "node",
            true,
          );
          if ((await this.openStake(tx.db, request.actor.userId, node.id, "own")) === 0n)
            throw new UserError(
              "not_staked",
              `Stake as a node first: /arena stake node task:${request.taskId} amount:100.`,
            );
          const row = await tx.db.arenaSubmission.create({
            data: { participantId: node.id, modelRef, submittedAt: request.now },
          });
          return { submissionId: row.id };
        },
      ),
    );
    return result;
  }

  /** The actor's validator scores a node's latest submission, 0 to 1; scoring again replaces it. */
  async score(
    request: ActionBase & { taskId: number; nodeUserId: number; score: Decimal },
  ): Promise<{ submissionId: number; modelRef: string; score: string }> {
    const { actor, taskId, score } = request;
    if (!isFractionOfOne(score))
      throw new UserError(
        "invalid_option",
        "score: write a number from 0 to 1 (at most 9 decimals), e.g. score:0.85.",
      );
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "arena.score",
          key: request.key,
          input: { userId: actor.userId, taskId, node: request.nodeUserId, score: score.toString() },
        },
        async () => {
          const validator = await this.requireParticipant(tx.db, taskId, actor.userId, "validator", true);
          if ((await this.openStake(tx.db, actor.userId, validator.id, "own")) === 0n)
            throw new UserError(
              "not_staked",
              `Stake as a validator first: /arena stake validator task:${taskId} amount:100.`,
            );
          const node = await this.requireParticipant(tx.db, taskId, request.nodeUserId, "node");
          const submission = await tx.db.arenaSubmission.findFirst({
            where: { participantId: node.id },
            orderBy: [{ submittedAt: "desc" }, { id: "desc" }],
          });
          if (!submission)
            throw new UserError(
              "no_submission",
              "That node has not submitted a model yet: nothing to score.",
            );
          // A validator re-scoring replaces its score. Insert-if-missing then update, so two scores
          // sent at once do not fail on the unique key: the later write wins.
          const scored = { score: score.toString(), scoredAt: request.now };
          const which = { submissionId: submission.id, validatorId: validator.id };
          await tx.db.arenaScore.createMany({ data: [{ ...which, ...scored }], skipDuplicates: true });
          await tx.db.arenaScore.update({ where: { submissionId_validatorId: which }, data: scored });
          return { submissionId: submission.id, modelRef: submission.modelRef, score: score.toString() };
        },
      ),
    );
    return result;
  }

  /** A member's rewards in one epoch (by period key; the latest they earned in by default). */
  async rewardsOf(
    db: TxClient,
    userId: number,
    periodKey?: string,
  ): Promise<
    | {
        epoch: {
          id: number;
          periodKey: string;
          token: string;
          emissionAtoms: bigint;
          undistributedAtoms: bigint;
          status: string;
        };
        /** Per task the member earned in: R0 and the node/validator split, exact, in atoms. */
        tasks: Array<{ taskId: number; taskShare: string; nodesShare: string; validatorsShare: string }>;
        lines: RewardLine[];
        totalAtoms: bigint;
      }
    | undefined
  > {
    const epoch = periodKey
      ? await db.arenaEpoch.findFirst({ where: { periodKey }, orderBy: { id: "desc" } })
      : await db.arenaEpoch.findFirst({
          where: { rewards: { some: { userId } } },
          orderBy: [{ periodEnd: "desc" }, { id: "desc" }],
        });
    if (!epoch) return undefined;
    const rows = await db.arenaReward.findMany({
      where: { epochId: epoch.id, userId },
      orderBy: [{ taskId: "asc" }, { id: "asc" }],
    });
    const lines = rows.map(
      (r): RewardLine => ({
        taskId: r.taskId,
        participantId: r.participantId,
        role: r.role as RewardLine["role"],
        amountAtoms: BigInt(r.amount.toFixed(0)),
        paid: r.paid,
        breakdown: (r.breakdown ?? undefined) as RewardLine["breakdown"],
      }),
    );
    return {
      epoch: {
        id: epoch.id,
        periodKey: epoch.periodKey,
        token: epoch.token,
        emissionAtoms: BigInt(epoch.emission.toFixed(0)),
        undistributedAtoms: BigInt(epoch.undistributed?.toFixed(0) ?? "0"),
        status: epoch.status,
      },
      lines,
      tasks: (
        (epoch.tasks ?? []) as Array<{
          taskId: number;
          taskShare: string;
          nodesShare: string;
          validatorsShare: string;
        }>
      )
        .filter((t) => lines.some((l) => l.taskId === t.taskId))
        .map(({ taskId, taskShare, nodesShare, validatorsShare }) => ({
          taskId,
          taskShare,
          nodesShare,
          validatorsShare,
        })),
      totalAtoms: lines.reduce((s, l) => s + l.amountAtoms, 0n),
    };
  }

  /**
   * /link merged member `from` into `into` (their stake money moved with their balances): the
   * stakes, nodes and validators follow. Where both had the same role on a task, `from`'s stakes
   * join `into`'s participant. Tasks are moved by the merge itself (src/identity/user-columns.ts).
   * Refused while an epoch is between its snapshot and its payment: its reward lines name the
   * payees of the snapshot, and a line paid to `from` after the link would reach no one.
   */
  async mergeUsers(tx: Tx, from: number, into: number): Promise<void> {
    const unpaid = await tx.db.$queryRaw<Array<{ id: number }>>`
      SELECT e.id FROM arena_epochs e WHERE e.status <> 'paid'
        AND (EXISTS (SELECT 1 FROM arena_stakes WHERE user_id = ${from})
          OR EXISTS (SELECT 1 FROM arena_participants WHERE user_id = ${from})
          OR EXISTS (SELECT 1 FROM arena_rewards WHERE user_id = ${from} AND NOT paid))
      LIMIT 1`;
    if (unpaid.length > 0) {
      throw new UserError(
        "link_pending",
        "The arena is paying this epoch's rewards, some of them to this account; link again once they are paid (a few minutes).",
      );
    }
    await tx.db.$executeRaw`UPDATE arena_stakes SET user_id = ${into} WHERE user_id = ${from}`;
    await tx.db.$executeRaw`
      UPDATE arena_stakes s SET participant_id = q.id
      FROM arena_participants p JOIN arena_participants q
        ON q.task_id = p.task_id AND q.role = p.role AND q.user_id = ${into}
      WHERE p.user_id = ${from} AND s.participant_id = p.id`;
    await tx.db.$executeRaw`
      UPDATE arena_participants p SET user_id = ${into}
      WHERE p.user_id = ${from} AND NOT EXISTS (
        SELECT 1 FROM arena_participants q WHERE q.user_id = ${into} AND q.task_id = p.task_id AND q.role = p.role)`;
    // What is left of `from` is a participant emptied into the survivor's; it goes unless it is
    // the record behind a model submitted, a score given or a reward paid.
    await tx.db.$executeRaw`
      DELETE FROM arena_participants p WHERE p.user_id = ${from}
        AND NOT EXISTS (SELECT 1 FROM arena_stakes s WHERE s.participant_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM arena_submissions m WHERE m.participant_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM arena_scores c WHERE c.validator_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM arena_rewards r WHERE r.participant_id = p.id)`;
  }

  // ---- internals ----

  private async withdraw(
    request: ActionBase & { taskId: number; role: ParticipantRole },
    participantUserId: number,
    kind: "own" | "delegation",
  ): Promise<{ withdrawnAtoms: bigint }> {
    const { actor, taskId, role } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: `arena.withdraw.${kind}`,
          key: request.key,
          input: { userId: actor.userId, taskId, role, participantUserId },
        },
        async () => {
          const participant = await this.requireParticipant(
            tx.db,
            taskId,
            participantUserId,
            role,
            kind === "own",
          );
          const open = await tx.db.arenaStake.findMany({
            where: { userId: actor.userId, participantId: participant.id, kind, withdrawnAt: null },
            select: { id: true, amount: true },
          });
          if (open.length === 0)
            throw new UserError(
              "not_staked",
              kind === "own"
                ? `You have no ${role} stake on task ${taskId} to withdraw.`
                : `You have no delegation to that ${role} on task ${taskId}.`,
            );
          await tx.db.arenaStake.updateMany({
            where: { id: { in: open.map((s) => s.id) } },
            data: { withdrawnAt: request.now },
          });
          return { withdrawnAtoms: open.reduce((s, r) => s + BigInt(r.amount.toFixed(0)), 0n) };
        },
      ),
    );
    return result;
  }

  private async moveIn(
    tx: Tx,
    request: ActionBase & { amountAtoms: bigint },
    participantId: number,
    kind: "own" | "delegation",
    memo: string,
  ): Promise<void> {
    const userId = request.actor.userId;
    await this.ledger.transfer(tx, {
      key: `arena.stake|${request.key}`,
      debit: accounts.user(userId, this.token),
      credit: stakeAccount(userId, this.token),
      token: this.token,
      amountAtoms: request.amountAtoms,
      code: ARENA_CODES.stake,
      memo,
      meta: { participantId, kind },
    });
    await tx.db.arenaStake.create({
      data: { participantId, userId, kind, amount: request.amountAtoms.toString(), createdAt: request.now },
    });
  }

  private async openStake(
    db: TxClient,
    userId: number,
    participantId: number,
    kind: string,
  ): Promise<bigint> {
    const sum = await db.arenaStake.aggregate({
      where: { userId, participantId, kind, withdrawnAt: null },
      _sum: { amount: true },
    });
    return BigInt(sum._sum.amount?.toFixed(0) ?? "0");
  }

  private async requireTask(db: TxClient, taskId: number) {
    const task = Number.isSafeInteger(taskId)
      ? await db.arenaTask.findUnique({ where: { id: taskId } })
      : null;
    if (!task) throw notFound(`Task ${taskId}`, "See the open tasks with /arena task list.");
    return task;
  }

  private async requireParticipant(
    db: TxClient,
    taskId: number,
    userId: number,
    role: ParticipantRole,
    self = false,
  ) {
    await this.requireTask(db, taskId);
    const participant = await db.arenaParticipant.findUnique({
      where: { taskId_userId_role: { taskId, userId, role } },
    });
    if (!participant)
      throw notFound(
        self ? `Your ${role} on task ${taskId}` : `That member's ${role} on task ${taskId}`,
        self
          ? `Stake first: /arena stake ${role} task:${taskId} amount:100.`
          : `See who takes part with /arena task info task:${taskId}.`,
      );
    return participant;
  }

  /** The token the arena stakes and pays, as registered. */
  tokenInfo() {
    return this.tokens.get(this.token);
  }
}

function requirePositive(amountAtoms: bigint): void {
  if (amountAtoms <= 0n) throw new UserError("invalid_amount", "The amount must be more than zero.");
}

function toTaskView(row: {
  id: number;
  title: string;
  description: string | null;
  factoryId: number | null;
  creatorId: number;
  createdAt: Date;
}): TaskView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    factoryId: row.factoryId,
    creatorId: row.creatorId,
    createdAt: row.createdAt,
  };
}
