// Demonstrations submitted to a factory (docs/economy.md section 3). The Submissions service the
// composition root builds and commands call: it holds the grading queue and the installed pipeline
// and grader, and hands each request to the file that owns it: intake (submission-intake.ts),
// grading (submission-grading.ts), settlement (settlement.ts), people scoring (review.ts, who may in
// reviewers.ts, the moderators' daily reminder in review-reminders.ts), expiry
// (expiry.ts), reads (submission-reads.ts), what the farmer is told (submission-wording.ts).
import type { PoolsConfig } from "#src/config/pools.ts";
import type { Clock } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import type { CommissionPolicy } from "#src/economy/ambassadors/commissions.ts";
import { expireDue } from "#src/economy/pools/expiry.ts";
import type { Factories } from "#src/economy/pools/factories.ts";
import { GradingQueue } from "#src/economy/pools/grading-queue.ts";
import type { Reputation } from "#src/economy/pools/reputation.ts";
import { appealSubmission, reviewQueue, reviewSubmission } from "#src/economy/pools/review.ts";
import { remindModerators } from "#src/economy/pools/review-reminders.ts";
import { appointReviewer, listReviewers, removeReviewer } from "#src/economy/pools/reviewers.ts";
import { type SettlementView, settle } from "#src/economy/pools/settlement.ts";
import type { SubmissionStatus } from "#src/economy/pools/statuses.ts";
import { gradeSubmission } from "#src/economy/pools/submission-grading.ts";
import {
  acceptSubmission,
  type DemonstrationPipeline,
  type SubmitResult,
} from "#src/economy/pools/submission-intake.ts";
import { findSubmission, type SubmissionRow, submissionsOf } from "#src/economy/pools/submission-reads.ts";
import type { Grade, Grader } from "#src/grading/types.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";

export interface SubmissionDeps {
  db: Database;
  ledger: Ledger;
  tokens: TokenRegistry;
  factories: Factories;
  reputation: Reputation;
  commissions: () => CommissionPolicy;
  notifier: Notifier;
  /** The users who are moderators now (the review reminder is sent to them). */
  moderators: () => Promise<number[]>;
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

  async submit(request: Parameters<typeof acceptSubmission>[2]): Promise<SubmitResult> {
    const { result, enqueue } = await acceptSubmission(this.deps, this.pipeline, request);
    if (enqueue) this.queue.enqueue(result.submissionId);
    return result;
  }

  /** The background step: grade, then settle (or hand to people). Safe to run twice. */
  gradeOne(submissionId: number): Promise<void> {
    return gradeSubmission(this.deps, this.#grader, submissionId);
  }

  /**
   * Resolves a submission's reservation exactly once with a grade: below the threshold the whole
   * bid returns to the pool; otherwise the reward (on its own merit, section 3) is
   * split between farmer, fee (ambassadors' commissions out of it) and pool.
   */
  settle(
    submissionId: number,
    grade: Grade,
    options: { key: string; reviewerUserId?: number },
  ): Promise<SettlementView | undefined> {
    return settle(this.deps, submissionId, grade, options);
  }

  /** A moderator or an appointed reviewer (never the creator) scores a submission: a manual review, an appeal, an override. */
  review(request: Parameters<typeof reviewSubmission>[1]): ReturnType<typeof reviewSubmission> {
    return reviewSubmission(this.deps, request);
  }

  /** A farmer asks for a person to look again, within 30 days of the grade. */
  appeal(request: Parameters<typeof appealSubmission>[1]): Promise<void> {
    return appealSubmission(this.deps, request);
  }

  /** What waits for a person: manual reviews and open appeals the actor may judge (never their own factories'). */
  reviewQueue(db: TxClient, actor: Actor) {
    return reviewQueue(db, actor);
  }

  /** A moderator appoints a reviewer of one factory, or of every factory (never of one they create). */
  appointReviewer(request: Parameters<typeof appointReviewer>[1]) {
    return appointReviewer(this.deps.db, request);
  }

  /** A moderator removes a reviewer's appointment. */
  removeReviewer(request: Parameters<typeof removeReviewer>[1]) {
    return removeReviewer(this.deps.db, request);
  }

  /** The appointments, of one factory (with the all-factory ones) or all (moderators). */
  reviewers(db: TxClient, actor: Actor, factoryId?: number) {
    return listReviewers(db, actor, factoryId);
  }

  /** The reminder job: what has waited for a person longer than a day, told to every moderator. */
  remindModerators(now: Date, signal?: AbortSignal) {
    return remindModerators(this.deps, now, signal);
  }

  find(db: TxClient, submissionId: number): Promise<SubmissionRow> {
    return findSubmission(db, submissionId);
  }

  /** A farmer's submissions, newest first. */
  listFor(db: TxClient, farmerUserId: number, options: { limit: number; offset: number }) {
    return submissionsOf(db, farmerUserId, options);
  }

  /**
   * The expiry job: voids reservations whose grade never came, each exactly once. Stops before the
   * next submission once `signal` is aborted; the next run expires the rest.
   */
  expireDue(now: Date, options: { limit?: number; signal?: AbortSignal } = {}): Promise<number> {
    return expireDue(this.deps, now, options);
  }

  /**
   * The pending-grades job (and start-up): queues what a restart left waiting. The grading itself
   * runs in the queue, outside the job; a run that timed out while reading hands nothing over.
   */
  async resumeQueued(signal?: AbortSignal): Promise<number> {
    const rows = await this.deps.db.prisma.submission.findMany({
      where: { status: "queued" satisfies SubmissionStatus },
      orderBy: { id: "asc" },
      take: 1000,
      select: { id: true },
    });
    signal?.throwIfAborted();
    for (const { id } of rows) this.queue.enqueue(id);
    return rows.length;
  }
}
