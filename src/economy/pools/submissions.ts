// Demonstrations submitted to a factory (docs/economy.md section 3): /submit parses and checks the
// upload, matches it to a task, refuses duplicates and anything over the pool's limits, and
// reserves the bid from the pool, all before it answers "queued"; grading then runs in the
// background and settlement splits the reserved bid between farmer, fee (and ambassadors) and
// pool, exactly once. Manual review, appeals and overrides (30 days) and reservation expiry live
// here too.
import type { PoolsConfig } from "#src/config/pools.ts";
import type { Clock } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import { literal } from "#src/core/markup.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Reply } from "#src/core/reply.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";
import { COMMISSION_CODES, type CommissionPolicy } from "#src/economy/ambassadors/commissions.ts";
import { lockAsParticipant } from "#src/economy/ambassadors/participation-lock.ts";
import { type Factories, POOL_CODES, requireOwner } from "#src/economy/pools/factories.ts";
import { GradingQueue } from "#src/economy/pools/grading-queue.ts";
import { type RewardSplit, splitReward } from "#src/economy/pools/pool-math.ts";
import { premiumUntil, reputationBar } from "#src/economy/pools/premium.ts";
import type { Reputation } from "#src/economy/pools/reputation.ts";
import { recordDemonstration } from "#src/grading/digest.ts";
import { splitByWeights } from "#src/grading/external.ts";
import type {
  DemonstrationRecord,
  Grade,
  GradeOutcome,
  Grader,
  ParsedDemonstration,
  PreparedDemonstration,
  ProcessedDemonstration,
  RecordedQuest,
  UploadedFile,
} from "#src/grading/types.ts";
import { type AccountRef, accounts } from "#src/ledger/accounts.ts";
import { formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger, LedgerOp } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";

export const PAYOUT_CODES = {
  farmer: "payout.farmer",
  fee: "payout.fee",
  refund: "payout.refund",
} as const;

/** Appeals and manual overrides are taken this long after a submission is graded. */
export const REVIEW_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The demonstration pipeline (src/grading): prepare an upload (parse it, label its actions, digest
 * its events, describe them) without holding up other commands, and match it to a task.
 */
export interface DemonstrationPipeline {
  prepare(files: readonly UploadedFile[]): Promise<PreparedDemonstration>;
  matchTask<T extends { ref: string; title: string }>(quest: RecordedQuest, tasks: readonly T[]): T;
  /** Stops what prepare() runs on. */
  close?(): Promise<void>;
}

/**
 * A submission's kept payload: the demonstration with its events digested, and its actions. Rows
 * written before the digest (issue 11) hold the parsed events instead; they are digested on read.
 */
interface Payload {
  demonstration: DemonstrationRecord | ParsedDemonstration;
  processed: ProcessedDemonstration;
}

const recordOf = (kept: Payload["demonstration"]): DemonstrationRecord =>
  "digest" in kept ? kept : recordDemonstration(kept);

export type SubmissionStatus = "queued" | "manual_review" | "settled" | "expired";

export interface SubmitResult {
  submissionId: number;
  factoryId: number;
  factoryName: string;
  taskTitle: string;
  token: string;
  bidAtoms: bigint;
  expiresAt: Date;
  summary: string;
}

export interface SettlementView extends RewardSplit {
  submissionId: number;
  factoryId: number;
  token: string;
  bidAtoms: bigint;
  score: number;
  commissionAtoms: bigint;
  xp: bigint;
}

type SubmissionRow = Awaited<ReturnType<TxClient["submission"]["findUniqueOrThrow"]>>;

export interface SubmissionDeps {
  db: Database;
  ledger: Ledger;
  tokens: TokenRegistry;
  factories: Factories;
  reputation: Reputation;
  commissions: () => CommissionPolicy;
  notifier: Notifier;
  config: PoolsConfig;
  clock: Clock;
  log: Logger;
}

export class Submissions {
  readonly queue: GradingQueue;
  #pipeline: DemonstrationPipeline | undefined;
  #grader: Grader | undefined;

  constructor(private readonly deps: SubmissionDeps) {
    this.queue = new GradingQueue(
      (id) => this.gradeOne(id),
      deps.config.GRADING_CONCURRENCY,
      (id, error) =>
        deps.log.error({ err: error, submissionId: id }, "grading a submission failed; it stays queued"),
    );
  }

  /** The demonstration pipeline and the quality agent (src/grading), set by the composition root. */
  use(parts: { pipeline?: DemonstrationPipeline; grader?: Grader }): void {
    if (parts.pipeline) this.#pipeline = parts.pipeline;
    if (parts.grader) this.#grader = parts.grader;
  }

  /** Stops the pipeline's worker thread (uploads still being prepared fail). */
  async close(): Promise<void> {
    await this.#pipeline?.close?.();
  }

  get grader(): Grader | undefined {
    return this.#grader;
  }

  private get pipeline(): DemonstrationPipeline {
    if (!this.#pipeline) throw new Error("no demonstration pipeline is installed");
    return this.#pipeline;
  }

  async submit(request: {
    actor: Actor;
    key: string;
    factoryId: number;
    files: UploadedFile[];
  }): Promise<SubmitResult> {
    const { db, ledger, tokens, factories, reputation, config, clock } = this.deps;
    const { demonstration, processed, summary } = await this.pipeline.prepare(request.files);
    const now = clock.now();
    const { result, enqueue } = await db
      .transaction(async (tx) => {
        const once = await runOnce(
          tx,
          {
            scope: "pools.submit",
            key: request.key,
            input: { factoryId: request.factoryId, hash: demonstration.contentHash },
          },
          async () => {
            const found = await factories.find(tx.db, request.factoryId);
            await tx.db.$queryRaw`SELECT id FROM factories WHERE id = ${found.id} FOR SHARE`;
            // A submission is the farmer's participation: see participation-lock.ts.
            await lockAsParticipant(tx, request.actor.userId);
            const factory = await tx.db.factory.findUniqueOrThrow({
              where: { id: found.id },
              include: { tasks: true },
            });
            if (factory.status !== "live")
              throw new UserError(
                factory.status === "paused" ? "factory_paused" : "factory_closed",
                `Factory #${factory.id} is ${factory.status} and takes no submissions; /bids lists the open ones.`,
              );
            const task = this.pipeline.matchTask(demonstration.meta.quest, factory.tasks);
            const bar = reputationBar(factory, now);
            if (bar !== null) {
              const rep = await reputation.of(tx.db, request.actor.userId, now);
              const until = premiumUntil(factory);
              if (rep.reputation < bar)
                throw new UserError(
                  "reputation_too_low",
                  `Factory #${factory.id} is premium: it needs reputation ${bar}, yours is ${rep.reputation}.${until ? ` It opens to everyone at ${until.toISOString().slice(0, 16).replace("T", " ")} UTC.` : ""} /reputation shows how to raise yours.`,
                );
            }
            const token = tokens.get(factory.token);
            const bidAtoms = BigInt(factory.bidAtoms.toFixed());
            const duplicate = await tx.db.submission.findUnique({
              where: { contentHash: demonstration.contentHash },
            });
            if (duplicate)
              throw new UserError(
                "duplicate_demonstration",
                duplicate.farmerUserId === request.actor.userId
                  ? `You already submitted this recording (submission #${duplicate.id}). Record the task again to resubmit.`
                  : "This recording was already submitted. Upload a recording of your own.",
              );
            // The row (and its payload, the heavy write) goes in before the pool's lock is taken, so
            // the section every submission to this pool passes one at a time stays short. The unique
            // content hash makes a concurrent copy wait here, then fail.
            const expiresAt = new Date(now.getTime() + config.RESERVATION_TTL_HOURS * 3_600_000);
            const submission = await tx.db.submission.create({
              data: {
                factoryId: factory.id,
                taskId: task.id,
                farmerUserId: request.actor.userId,
                contentHash: demonstration.contentHash,
                bidAtoms: bidAtoms.toString(),
                expiresAt,
                payload: { demonstration, processed } satisfies Payload as never,
                summary: processed.summary as never,
                createdAt: now,
              },
            });
            // The pool account's lock orders every submission to this pool: the funds and limit
            // checks below see every earlier submission committed.
            const poolRef = accounts.pool(factory.id, factory.token);
            const poolId = await ledger.accountId(tx, poolRef);
            await tx.db.$queryRaw`SELECT id FROM accounts WHERE id = ${poolId} FOR UPDATE`;
            const { availableAtoms } = await ledger.balance(tx.db, poolId);
            if (availableAtoms < bidAtoms) throw outOfFunds(factory.id, availableAtoms, bidAtoms, token);
            await this.checkLimits(tx, factory, task.id, request.actor.userId, now, submission.id);
            let reservation: Awaited<ReturnType<Ledger["reserve"]>>;
            try {
              reservation = await ledger.reserve(tx, {
                key: subKey("pools.submit", request.key, "reserve"),
                debit: poolId,
                credit: accounts.escrow(factory.token),
                token: factory.token,
                amountAtoms: bidAtoms,
                code: POOL_CODES.reserve,
                expiresAt,
                meta: {
                  factoryId: factory.id,
                  submissionId: submission.id,
                  farmerUserId: request.actor.userId,
                },
              });
            } catch (error) {
              if (error instanceof UserError && error.code === "insufficient_funds")
                throw outOfFunds(factory.id, availableAtoms, bidAtoms, token);
              throw error;
            }
            await tx.db.submission.update({
              where: { id: submission.id },
              data: { reservationId: reservation.id },
            });
            return {
              submissionId: submission.id,
              factoryId: factory.id,
              factoryName: factory.name,
              taskTitle: task.title,
              token: factory.token,
              bidAtoms,
              expiresAt,
              summary,
            } satisfies SubmitResult;
          },
        );
        return { result: once.result, enqueue: !once.replayed };
      })
      .catch((error: unknown) => {
        throw translateUnique(error);
      });
    if (enqueue) this.queue.enqueue(result.submissionId);
    return result;
  }

  private async checkLimits(
    tx: Tx,
    factory: {
      id: number;
      limitPerFarmerTask: number | null;
      limitPerDay: number | null;
      limitTotal: number | null;
    },
    taskId: number,
    farmerUserId: number,
    now: Date,
    /** This submission's own row, already inserted: not counted against the limits. */
    ownId: number,
  ): Promise<void> {
    if (factory.limitTotal !== null) {
      const total = await tx.db.submission.count({ where: { factoryId: factory.id, id: { not: ownId } } });
      if (total >= factory.limitTotal)
        throw new UserError(
          "limit_reached",
          `Factory #${factory.id} has all the ${factory.limitTotal} demonstrations it wants.`,
        );
    }
    if (factory.limitPerDay !== null) {
      const day = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
      const today = await tx.db.submission.count({
        where: { factoryId: factory.id, createdAt: { gte: day }, id: { not: ownId } },
      });
      if (today >= factory.limitPerDay)
        throw new UserError(
          "limit_reached",
          `Factory #${factory.id} takes ${factory.limitPerDay} demonstrations a day and has them for today; try again after 00:00 UTC.`,
        );
    }
    if (factory.limitPerFarmerTask !== null) {
      const mine = await tx.db.submission.count({
        where: { factoryId: factory.id, taskId, farmerUserId, id: { not: ownId } },
      });
      if (mine >= factory.limitPerFarmerTask)
        throw new UserError(
          "limit_reached",
          `You have submitted this task ${mine} time(s); factory #${factory.id} takes ${factory.limitPerFarmerTask} per farmer. Try another task.`,
        );
    }
  }

  /** The background step: grade, then settle (or hand to people). Safe to run twice. */
  async gradeOne(submissionId: number): Promise<void> {
    const { db, log } = this.deps;
    const row = await db.prisma.submission.findUnique({
      where: { id: submissionId },
      include: { task: true },
    });
    if (row?.status !== "queued") return;
    const payload = row.payload as unknown as Payload;
    let outcome: GradeOutcome;
    try {
      if (!this.#grader) throw new Error("no grader is installed");
      outcome = await this.#grader.grade({
        demonstration: recordOf(payload.demonstration),
        processed: payload.processed,
        task: { title: row.task.title, app: row.task.app, objectives: row.task.objectives as string[] },
      });
    } catch (error) {
      log.error({ err: error, submissionId }, "the grader failed; the submission goes to manual review");
      outcome = { kind: "manual_review", reason: "the quality agent could not grade it" };
    }
    if (outcome.kind === "manual_review") {
      const moved = await db.prisma.submission.updateMany({
        where: { id: submissionId, status: "queued" },
        data: { status: "manual_review" },
      });
      if (moved.count > 0)
        await this.deps.notifier.notifyUser(row.farmerUserId, {
          title: `Submission #${submissionId}: waiting for a reviewer`,
          text: `Your demonstration needs a person to score it (${outcome.reason}). Its bid stays reserved for you until ${formatDate(row.expiresAt)}.`,
          data: { submissionId, status: "manual_review" },
        });
      return;
    }
    await this.settle(submissionId, outcome.grade, { key: `grade:${submissionId}` });
  }

  /**
   * Resolves a submission's reservation exactly once with a grade: below the threshold the whole
   * bid returns to the pool; otherwise the reward (less any earlier reward for the same task) is
   * split between farmer, fee (ambassadors' commissions out of it) and pool.
   */
  async settle(
    submissionId: number,
    grade: Grade,
    options: { key: string; reviewerUserId?: number },
  ): Promise<SettlementView | undefined> {
    const done = await this.deps.db.transaction((tx) => this.settleTx(tx, submissionId, grade, options));
    if (done) await this.deps.notifier.notifyUser(done.farmerUserId, done.notice);
    return done?.view;
  }

  /** settle() inside the caller's transaction; the caller sends the notice after commit. */
  private async settleTx(
    tx: Tx,
    submissionId: number,
    grade: Grade,
    options: { key: string; reviewerUserId?: number },
  ): Promise<{ view: SettlementView; notice: Reply; farmerUserId: number } | undefined> {
    const now = this.deps.clock.now();
    const rows = await tx.db.$queryRaw<Array<{ id: number }>>`
      SELECT id FROM submissions WHERE id = ${submissionId} FOR UPDATE`;
    if (rows.length === 0) return undefined;
    const sub = await tx.db.submission.findUniqueOrThrow({
      where: { id: submissionId },
      include: { factory: true, task: true },
    });
    if (sub.status !== "queued" && sub.status !== "manual_review") return undefined;
    if (sub.expiresAt.getTime() <= now.getTime()) {
      await this.expireRow(tx, sub);
      return undefined;
    }
    const view = await this.pay(tx, sub, grade, { key: options.key, now, best: "others" });
    await tx.db.submission.update({
      where: { id: sub.id },
      data: {
        status: "settled",
        score: grade.score,
        grade: grade as never,
        rewardAtoms: view.rewardAtoms.toString(),
        paidGrossAtoms: view.paidGrossAtoms.toString(),
        feeAtoms: view.feeAtoms.toString(),
        farmerAtoms: view.farmerAtoms.toString(),
        refundAtoms: view.refundAtoms.toString(),
        settlements: 1,
        gradedAt: now,
        reviewedByUserId: options.reviewerUserId ?? null,
      },
    });
    const notice = settlementNotice(sub, grade, view, this.deps.tokens.get(sub.factory.token));
    return { view, notice, farmerUserId: sub.farmerUserId };
  }

  /** Moves the money of one settlement (or of an override's difference) inside `tx`. */
  private async pay(
    tx: Tx,
    sub: SubmissionRow & {
      factory: {
        token: string;
        feePolicy: string;
        rewardFeePercent: string;
        qualityThreshold: number;
        creatorUserId: number;
      };
    },
    grade: Grade,
    how: { key: string; now: Date; best: "others" | "all"; fromPool?: boolean },
  ): Promise<SettlementView> {
    const { ledger, reputation } = this.deps;
    const factory = sub.factory;
    const token = factory.token;
    const policy = factory.feePolicy as "clones" | "forge";
    // The farmer's fee tally row: its lock serializes this farmer's settlements, so the best
    // earlier reward and the cumulative fee are read and written by one settlement at a time.
    await tx.db.$executeRaw`
      INSERT INTO farmer_fee_tallies (farmer_user_id, token, fee_percent)
      VALUES (${sub.farmerUserId}, ${token}, ${factory.rewardFeePercent}) ON CONFLICT DO NOTHING`;
    const [tallyRow] = await tx.db.$queryRaw<Array<{ gross: string; fee: string }>>`
      SELECT gross_atoms::text AS gross, fee_atoms::text AS fee FROM farmer_fee_tallies
      WHERE farmer_user_id = ${sub.farmerUserId} AND token = ${token} AND fee_percent = ${factory.rewardFeePercent}
      FOR UPDATE`;
    const [best] = await tx.db.$queryRaw<Array<{ best: string | null }>>`
      SELECT MAX(reward_atoms)::text AS best FROM submissions
      WHERE farmer_user_id = ${sub.farmerUserId} AND factory_id = ${sub.factoryId} AND task_id = ${sub.taskId}
        AND status = 'settled' AND (${how.best} = 'all' OR id <> ${sub.id})`;
    const bidAtoms = BigInt(sub.bidAtoms.toFixed());
    const split = splitReward({
      policy,
      bidAtoms,
      score: grade.score,
      threshold: factory.qualityThreshold,
      bestEarlierRewardAtoms: BigInt(best?.best ?? "0"),
      rewardFeePercent: factory.rewardFeePercent,
      tally: { grossAtoms: BigInt(tallyRow!.gross), feeAtoms: BigInt(tallyRow!.fee) },
    });
    const commissions =
      split.paidGrossAtoms > 0n
        ? await this.deps.commissions().onReward(tx, {
            token,
            policy,
            farmerUserId: sub.farmerUserId,
            creatorUserId: factory.creatorUserId,
            grossAtoms: split.paidGrossAtoms,
            feeAtoms: split.feeAtoms,
          })
        : [];
    const shared = commissions.reduce((sum, c) => sum + (c.amountAtoms > 0n ? c.amountAtoms : 0n), 0n);
    if (shared > split.feeAtoms)
      throw new Error(`commissions (${shared}) exceed the fee (${split.feeAtoms})`);
    const meta = { factoryId: sub.factoryId, submissionId: sub.id };
    const escrow = accounts.escrow(token);
    const pool = accounts.pool(sub.factoryId, token);
    // A settlement draws from the reservation; an override's difference is paid from the pool.
    const source = how.fromPool ? pool : escrow;
    const ops: LedgerOp[] = [];
    const move = (n: string, credit: AccountRef, amountAtoms: bigint, code: string, extra = {}) => {
      if (amountAtoms > 0n)
        ops.push({
          kind: "transfer",
          key: subKey(how.key, n),
          debit: source,
          credit,
          token,
          amountAtoms,
          code,
          meta: { ...meta, ...extra },
        });
    };
    if (!how.fromPool) {
      if (split.paidGrossAtoms === 0n) {
        ops.push({
          kind: "void",
          key: subKey(how.key, "void"),
          pendingId: sub.reservationId!,
          code: PAYOUT_CODES.refund,
        });
      } else {
        ops.push({ kind: "post", key: subKey(how.key, "post"), pendingId: sub.reservationId!, meta });
      }
    }
    move("farmer", accounts.user(sub.farmerUserId, token), split.farmerAtoms, PAYOUT_CODES.farmer);
    for (const [i, c] of commissions.entries())
      move(`commission.${i}`, accounts.user(c.userId, token), c.amountAtoms, COMMISSION_CODES[c.role], {
        tier: c.tier,
      });
    move("fee", accounts.fees(token), split.feeAtoms - shared, PAYOUT_CODES.fee);
    if (!how.fromPool && split.paidGrossAtoms > 0n)
      move("refund", pool, split.refundAtoms, PAYOUT_CODES.refund);
    try {
      await ledger.execute(tx, ops);
    } catch (error) {
      if (how.fromPool && error instanceof UserError && error.code === "insufficient_funds")
        throw new UserError(
          "out_of_funds",
          `Factory #${sub.factoryId}'s pool cannot pay the difference now (${error.message}); fund it, then score again.`,
        );
      throw error;
    }
    await tx.db.$executeRaw`
      UPDATE farmer_fee_tallies SET gross_atoms = ${split.tallyAfter.grossAtoms.toString()}::numeric,
        fee_atoms = ${split.tallyAfter.feeAtoms.toString()}::numeric
      WHERE farmer_user_id = ${sub.farmerUserId} AND token = ${token} AND fee_percent = ${factory.rewardFeePercent}`;
    const xp =
      grade.score >= factory.qualityThreshold && !how.fromPool
        ? await reputation.award(tx, sub.farmerUserId, grade.score, how.now)
        : 0n;
    return {
      ...split,
      submissionId: sub.id,
      factoryId: sub.factoryId,
      token,
      bidAtoms,
      score: grade.score,
      commissionAtoms: shared,
      xp,
    };
  }

  /** A moderator or the factory's creator scores a submission: a manual review, an appeal, an override. */
  async review(request: {
    actor: Actor;
    key: string;
    submissionId: number;
    score: number;
    note?: string;
  }): Promise<{
    kind: "settled" | "raised" | "lowered" | "unchanged";
    view?: SettlementView;
    previous?: number;
  }> {
    const { db, clock, tokens } = this.deps;
    if (!Number.isInteger(request.score) || request.score < 0 || request.score > 100)
      throw new UserError("invalid_option", "A score is a whole number from 0 to 100.");
    const now = clock.now();
    const sub = await this.find(db.prisma, request.submissionId);
    const factory = await this.deps.factories.find(db.prisma, sub.factoryId);
    requireOwner(request.actor, factory, "score submissions of");
    const grade: Grade = {
      score: request.score,
      breakdown: splitByWeights(request.score),
      reasons: [request.note?.trim() || `scored by ${request.actor.displayName}`],
      flags: [],
      grader: "manual",
    };
    let notice: Reply | undefined;
    const outcome = await db.transaction(async (tx) => {
      // One key per scoring, whatever it turns out to be: a replay returns the first outcome.
      const { result } = await runOnce(
        tx,
        { scope: "review.score", key: request.key, input: { id: sub.id, score: request.score } },
        async () => {
          await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${sub.id} FOR UPDATE`;
          const row = await tx.db.submission.findUniqueOrThrow({
            where: { id: sub.id },
            include: { factory: true, task: true },
          });
          if (row.status === "queued" || row.status === "manual_review") {
            const done = await this.settleTx(tx, row.id, grade, {
              key: `review:${request.key}`,
              reviewerUserId: request.actor.userId,
            });
            if (!done)
              throw new UserError(
                "invalid_state",
                `Submission #${row.id} expired before it was scored; its bid went back to the pool.`,
              );
            notice = done.notice;
            return { kind: "settled" as const, view: done.view };
          }
          if (row.status !== "settled")
            throw new UserError(
              "invalid_state",
              `Submission #${row.id} expired unpaid; its bid went back to the pool.`,
            );
          if (now.getTime() - (row.gradedAt ?? row.createdAt).getTime() > REVIEW_WINDOW_DAYS * DAY_MS)
            throw new UserError(
              "review_window_closed",
              `Submission #${row.id} was graded more than ${REVIEW_WINDOW_DAYS} days ago; its score is final.`,
            );
          const previous = row.score ?? 0;
          const base = {
            score: request.score,
            grade: grade as never,
            reviewedByUserId: request.actor.userId,
            appealResolvedAt: row.appealedAt ? now : null,
          };
          if (request.score <= previous) {
            // Lowering never claws back what was paid: the record changes, the money does not.
            await tx.db.submission.update({ where: { id: row.id }, data: base });
            return {
              kind: request.score < previous ? ("lowered" as const) : ("unchanged" as const),
              previous,
            };
          }
          const view = await this.pay(tx, row, grade, {
            key: `override:${request.key}`,
            now,
            best: "all",
            fromPool: true,
          });
          const atoms = (d: { toFixed(): string } | null) => BigInt(d?.toFixed() ?? "0");
          await tx.db.submission.update({
            where: { id: row.id },
            data: {
              ...base,
              rewardAtoms: (atoms(row.rewardAtoms) > view.rewardAtoms
                ? atoms(row.rewardAtoms)
                : view.rewardAtoms
              ).toString(),
              paidGrossAtoms: (atoms(row.paidGrossAtoms) + view.paidGrossAtoms).toString(),
              feeAtoms: (atoms(row.feeAtoms) + view.feeAtoms).toString(),
              farmerAtoms: (atoms(row.farmerAtoms) + view.farmerAtoms).toString(),
              settlements: { increment: 1 },
            },
          });
          const token = tokens.get(row.factory.token);
          notice = {
            title: `Submission #${row.id}: score raised to ${request.score}`,
            text:
              `A reviewer raised your score from ${previous} to ${request.score}. ` +
              (view.paidGrossAtoms > 0n
                ? `You receive the difference: ${formatMoney(view.farmerAtoms, token)}` +
                  (view.feeAtoms > 0n ? ` (after a ${formatMoney(view.feeAtoms, token)} fee).` : ".")
                : "Your best reward for this task was already at least that, so nothing more is due."),
            data: { submissionId: row.id, score: request.score },
          };
          return { kind: "raised" as const, view, previous };
        },
      );
      return result;
    });
    if (notice) await this.deps.notifier.notifyUser(sub.farmerUserId, notice);
    return outcome;
  }

  /** A farmer asks for a person to look again, within 30 days of the grade. */
  async appeal(request: { actor: Actor; key: string; submissionId: number; reason: string }): Promise<void> {
    const { db, clock } = this.deps;
    const reason = request.reason.trim();
    if (!reason) throw new UserError("missing_option", 'Say why the score is wrong: reason:"…".');
    if (reason.length > 300) throw new UserError("invalid_option", "A reason is at most 300 characters.");
    const found = await this.find(db.prisma, request.submissionId);
    if (found.farmerUserId !== request.actor.userId)
      throw forbidden("You can appeal only your own submissions.");
    const now = clock.now();
    await db.transaction((tx) =>
      runOnce(tx, { scope: "review.appeal", key: request.key, input: { id: found.id, reason } }, async () => {
        // Inside the action: a replay of this appeal finds it waiting and must still succeed.
        await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${found.id} FOR UPDATE`;
        const sub = await tx.db.submission.findUniqueOrThrow({ where: { id: found.id } });
        if (sub.status !== "settled")
          throw new UserError(
            "invalid_state",
            `Submission #${sub.id} has no score yet to appeal; it is ${sub.status}.`,
          );
        if (now.getTime() - (sub.gradedAt ?? sub.createdAt).getTime() > REVIEW_WINDOW_DAYS * DAY_MS)
          throw new UserError(
            "review_window_closed",
            `Appeals are taken for ${REVIEW_WINDOW_DAYS} days after the grade; submission #${sub.id}'s is final.`,
          );
        if (sub.appealedAt && !sub.appealResolvedAt)
          throw new UserError("invalid_state", `Submission #${sub.id} is already waiting for a reviewer.`);
        await tx.db.submission.update({
          where: { id: sub.id },
          data: { appealReason: reason, appealedAt: now, appealResolvedAt: null },
        });
        return true;
      }),
    );
  }

  /** What waits for a person: manual reviews and open appeals, of every factory (moderators) or one creator's. */
  async reviewQueue(db: TxClient, actor: Actor) {
    return db.submission.findMany({
      where: {
        OR: [
          { status: "manual_review" },
          { status: "settled", appealedAt: { not: null }, appealResolvedAt: null },
        ],
        ...(actor.isModerator ? {} : { factory: { creatorUserId: actor.userId } }),
      },
      orderBy: { id: "asc" },
      take: 50,
      include: { factory: { select: { name: true, token: true } }, task: { select: { title: true } } },
    });
  }

  async find(db: TxClient, submissionId: number): Promise<SubmissionRow> {
    if (!Number.isSafeInteger(submissionId) || submissionId <= 0)
      throw new UserError("invalid_option", "A submission is named by its number, e.g. submission:12.");
    const row = await db.submission.findUnique({ where: { id: submissionId } });
    if (!row)
      throw new UserError("not_found", `There is no submission #${submissionId}. /scores lists yours.`);
    return row;
  }

  /** A farmer's submissions, newest first. */
  async listFor(db: TxClient, farmerUserId: number, options: { limit: number; offset: number }) {
    const [items, total] = await Promise.all([
      db.submission.findMany({
        where: { farmerUserId },
        orderBy: { id: "desc" },
        take: options.limit,
        skip: options.offset,
        include: { factory: { select: { name: true, token: true } }, task: { select: { title: true } } },
      }),
      db.submission.count({ where: { farmerUserId } }),
    ]);
    return { items, total };
  }

  /**
   * The expiry job: voids reservations whose grade never came, each exactly once. Stops before the
   * next submission once `signal` is aborted; the next run expires the rest.
   */
  async expireDue(
    now: Date,
    { limit = 500, signal }: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<number> {
    const { db } = this.deps;
    const due = await db.prisma.submission.findMany({
      where: { status: { in: ["queued", "manual_review"] }, expiresAt: { lte: now } },
      orderBy: { id: "asc" },
      take: limit,
      select: { id: true },
    });
    let expired = 0;
    for (const { id } of due) {
      signal?.throwIfAborted();
      const farmer = await db.transaction(async (tx) => {
        await tx.db.$queryRaw`SELECT id FROM submissions WHERE id = ${id} FOR UPDATE`;
        const sub = await tx.db.submission.findUniqueOrThrow({ where: { id } });
        if (sub.status !== "queued" && sub.status !== "manual_review") return undefined;
        await this.expireRow(tx, sub);
        return sub.farmerUserId;
      });
      if (farmer !== undefined) {
        expired++;
        await this.deps.notifier.notifyUser(farmer, {
          title: `Submission #${id} expired`,
          text: `Submission #${id} was not graded within ${this.deps.config.RESERVATION_TTL_HOURS} hours; its bid went back to the pool and nothing was paid. You may submit the recording again.`,
          data: { submissionId: id, status: "expired" },
        });
      }
    }
    return expired;
  }

  private async expireRow(tx: Tx, sub: SubmissionRow): Promise<void> {
    if (sub.reservationId !== null)
      // Same key as the ledger's own expiry sweep, so the two can never void it twice.
      await this.deps.ledger.void(tx, {
        key: `expire:${sub.reservationId}`,
        pendingId: sub.reservationId,
        expired: true,
      });
    // A recording that expired unpaid may be submitted again: its hash is released.
    await tx.db.submission.update({
      where: { id: sub.id },
      data: { status: "expired", contentHash: `expired:${sub.id}:${sub.contentHash}` },
    });
  }

  /**
   * The pending-grades job (and start-up): queues what a restart left waiting. The grading itself
   * runs in the queue, outside the job; a run that timed out while reading hands nothing over.
   */
  async resumeQueued(signal?: AbortSignal): Promise<number> {
    const rows = await this.deps.db.prisma.submission.findMany({
      where: { status: "queued" },
      orderBy: { id: "asc" },
      take: 1000,
      select: { id: true },
    });
    signal?.throwIfAborted();
    for (const { id } of rows) this.queue.enqueue(id);
    return rows.length;
  }
}

function outOfFunds(factoryId: number, available: bigint, bid: bigint, token: TokenInfo): UserError {
  return new UserError(
    "out_of_funds",
    `Factory #${factoryId} is out of funds: ${formatMoney(available < 0n ? 0n : available, token)} unreserved, and a demonstration reserves ${formatMoney(bid, token)}. Nothing was reserved; /bids lists pools with money.`,
  );
}

function translateUnique(error: unknown): unknown {
  const code = (error as { code?: string })?.code;
  if (code === "P2002" || /content_hash/.test(String((error as Error)?.message ?? "")))
    return new UserError(
      "duplicate_demonstration",
      "This recording was already submitted. Upload a recording of your own.",
    );
  return error;
}

const formatDate = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

function settlementNotice(
  sub: {
    id: number;
    factoryId: number;
    factory: { name: string; feePolicy: string; rewardFeePercent: string; qualityThreshold: number };
    task: { title: string };
  },
  grade: Grade,
  r: SettlementView,
  token: TokenInfo,
): Reply {
  const m = (atoms: bigint) => formatMoney(atoms, token);
  const head = `Submission #${sub.id} to factory #${sub.factoryId} "${literal(sub.factory.name)}" (task "${literal(sub.task.title)}") scored ${grade.score}/100 — outcome ${grade.breakdown.outcome}/60, process ${grade.breakdown.process}/30, efficiency ${grade.breakdown.efficiency}/10.`;
  const reasons = grade.reasons.length > 0 ? `\nWhy: ${literal(grade.reasons.slice(0, 4).join("; "))}.` : "";
  let money: string;
  if (r.rewardAtoms === 0n) {
    money = `Below the pool's threshold of ${sub.factory.qualityThreshold}: nothing is paid, and the reserved ${m(r.bidAtoms)} returns to the pool.`;
  } else {
    const lines = [`Reward: bid ${m(r.bidAtoms)} × ${grade.score}% = ${m(r.rewardAtoms)}.`];
    if (r.paidGrossAtoms < r.rewardAtoms)
      lines.push(
        `You were already paid ${m(r.rewardAtoms - r.paidGrossAtoms)} for this task, so only the difference counts: ${m(r.paidGrossAtoms)}.`,
      );
    if (sub.factory.feePolicy === "clones")
      lines.push(
        `Platform fee ${sub.factory.rewardFeePercent}%: ${m(r.feeAtoms)}` +
          (r.commissionAtoms > 0n ? ` (${m(r.commissionAtoms)} of it to ambassadors' commissions).` : "."),
      );
    lines.push(`You receive **${m(r.farmerAtoms)}**; ${m(r.refundAtoms)} returns to the pool.`);
    if (r.xp > 0n) lines.push(`+${r.xp} XP.`);
    money = lines.join(" ");
  }
  return {
    title: `Submission #${sub.id} graded: ${grade.score}/100`,
    text: `${head}${reasons}\n${money}`,
    tone: r.farmerAtoms > 0n ? "success" : "warning",
    data: {
      submissionId: sub.id,
      score: grade.score,
      reward: r.rewardAtoms.toString(),
      fee: r.feeAtoms.toString(),
      commissions: r.commissionAtoms.toString(),
      farmer: r.farmerAtoms.toString(),
      refund: r.refundAtoms.toString(),
    },
  };
}
