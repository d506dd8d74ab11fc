// Intake of a demonstration (docs/economy.md section 3): /submit parses and checks the upload,
// matches it to a task, refuses duplicates and anything over the pool's limits, and reserves the
// bid from the pool, all before it answers "queued". Grading then runs in the background.
import type { Actor } from "#src/core/context.ts";
import { countOf } from "#src/core/counts.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import { deleteUnreferenced, type KeptFile, keepUpload, readActions } from "#src/datasets/keep-upload.ts";
import type { Tx } from "#src/db/database.ts";
import { lockAsParticipant } from "#src/economy/ambassadors/participation-lock.ts";
import { checkEntry } from "#src/economy/pools/factory-entry.ts";
import { POOL_CODES } from "#src/economy/pools/pool-money.ts";
import { AWAITING_GRADE, factoryStatus, type SubmissionStatus } from "#src/economy/pools/statuses.ts";
import type { SubmissionDeps } from "#src/economy/pools/submissions.ts";
import { recordDemonstration } from "#src/grading/digest.ts";
import type {
  ActionSummary,
  DemonstrationRecord,
  ParsedDemonstration,
  PreparedDemonstration,
  ProcessedDemonstration,
  RecordedQuest,
  UploadedFile,
} from "#src/grading/types.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";

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
 * A submission's kept payload: the demonstration with its events digested, and its action summary;
 * the actions themselves are JSON lines in the blob store (`actionsSha256`), so a long log's
 * actions do not weigh on the database. Rows written before the store (issue 12) hold the actions
 * here; rows written before the digest (issue 11) hold the parsed events, digested on read.
 */
export interface Payload {
  demonstration: DemonstrationRecord | ParsedDemonstration;
  processed: ProcessedDemonstration | { summary: ActionSummary };
  actionsSha256?: string;
}

export const recordOf = (kept: Payload["demonstration"]): DemonstrationRecord =>
  "digest" in kept ? kept : recordDemonstration(kept);

/** The payload's actions, from the blob store or (older rows) the payload itself. */
export async function processedOf(
  blobs: SubmissionDeps["blobs"],
  payload: Payload,
): Promise<ProcessedDemonstration> {
  if ("actions" in payload.processed) return payload.processed;
  if (!payload.actionsSha256) throw new Error("the submission's payload names no actions");
  return { actions: await readActions(blobs, payload.actionsSha256), summary: payload.processed.summary };
}

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

export async function acceptSubmission(
  deps: SubmissionDeps,
  pipeline: DemonstrationPipeline,
  request: {
    actor: Actor;
    key: string;
    factoryId: number;
    files: UploadedFile[];
  },
): Promise<{ result: SubmitResult; enqueue: boolean }> {
  const { db, ledger, tokens, factories, reputation, config, clock } = deps;
  const { demonstration, processed, summary } = await pipeline.prepare(request.files);
  // The files go into the store before the transaction (which must not touch anything outside the
  // database); if the intake is then refused, the blobs no row points at are deleted again.
  const kept = await keepUpload(deps.blobs, request.files, processed.actions);
  const actionsSha256 = kept.find((file) => file.role === "actions")!.sha256;
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
          const status = factoryStatus(factory);
          if (status !== "live")
            throw new UserError(
              status === "paused" ? "factory_paused" : "factory_closed",
              `Factory #${factory.id} is ${factory.status} and takes no submissions; /bids lists the open ones.`,
            );
          const task = pipeline.matchTask(demonstration.meta.quest, factory.tasks);
          await checkEntry(tx.db, reputation, factory, request.actor.userId, now);
          const token = tokens.get(factory.token);
          const bidAtoms = BigInt(factory.bidAtoms.toFixed());
          const duplicate = await tx.db.submission.findUnique({
            where: { contentHash: demonstration.contentHash },
            select: { id: true, farmerUserId: true },
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
              payload: {
                demonstration,
                processed: { summary: processed.summary },
                actionsSha256,
              } satisfies Payload as never,
              summary: processed.summary as never,
              recordingMs: Math.round(demonstration.meta.durationSeconds * 1000),
              createdAt: now,
            },
            // Only the id back: the payload is not sent back to be parsed again.
            select: { id: true },
          });
          await tx.db.submissionFile.createMany({ data: fileRows(submission.id, kept, now) });
          // The pool account's lock orders every submission to this pool: the funds and limit
          // checks below see every earlier submission committed.
          const poolRef = accounts.pool(factory.id, factory.token);
          const poolId = await ledger.accountId(tx, poolRef);
          // Locked and read in one statement: the lock is held from here to the commit, so what
          // follows it is only the limits, the reservation and the rows that point at it.
          const [pool] = await tx.db.$queryRaw<Array<{ available: string }>>`
            SELECT (balance - pending_debits)::text AS available FROM accounts WHERE id = ${poolId} FOR UPDATE`;
          const availableAtoms = BigInt(pool!.available);
          if (availableAtoms < bidAtoms) throw outOfFunds(factory, availableAtoms, bidAtoms, token);
          await checkLimits(tx, factory, task.id, request.actor.userId, now, submission.id);
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
              throw outOfFunds(factory, availableAtoms, bidAtoms, token);
            throw error;
          }
          await tx.db.submission.update({
            where: { id: submission.id },
            data: { reservationId: reservation.id },
            select: { id: true },
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
    .catch(async (error: unknown) => {
      await deleteUnreferenced(
        db,
        deps.blobs,
        kept.map((file) => file.sha256),
      ).catch((cleanup: unknown) =>
        deps.log.warn(
          { err: cleanup },
          "deleting a refused upload's files failed; the retention job will not see them",
        ),
      );
      throw translateUnique(error);
    });
  return { result, enqueue };
}

function fileRows(submissionId: number, kept: readonly KeptFile[], now: Date) {
  return kept.map((file) => ({
    submissionId,
    role: file.role,
    name: file.name,
    sha256: file.sha256,
    sizeBytes: BigInt(file.size),
    createdAt: now,
  }));
}

async function checkLimits(
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
    // Only accepted recordings count (docs/economy.md section 3): one below the threshold or expired
    // leaves room for another try. One still waiting for its grade counts, since it may be accepted.
    const mine = await tx.db.submission.count({
      where: {
        factoryId: factory.id,
        taskId,
        farmerUserId,
        id: { not: ownId },
        OR: [
          { status: { in: [...AWAITING_GRADE] } },
          { status: "settled" satisfies SubmissionStatus, rewardAtoms: { gt: 0 } },
        ],
      },
    });
    if (mine >= factory.limitPerFarmerTask)
      throw new UserError(
        "limit_reached",
        `Factory #${factory.id} pays ${countOf(factory.limitPerFarmerTask, "accepted recording")} of a task per farmer, and ${countOf(mine, "recording")} of yours for this task ${mine === 1 ? "is" : "are"} accepted or waiting for a grade. Only a recording below the threshold, or expired, leaves room for another try; record another task.`,
      );
  }
}

function outOfFunds(
  factory: { id: number; firstFundedAt: Date | null },
  available: bigint,
  bid: bigint,
  token: TokenInfo,
): UserError {
  if (factory.firstFundedAt === null)
    return new UserError(
      "out_of_funds",
      `Factory #${factory.id} has not been funded yet, so it cannot pay a demonstration. Nothing was reserved; /bids lists pools with money.`,
    );
  return new UserError(
    "out_of_funds",
    `Factory #${factory.id} is out of funds: ${formatMoney(available < 0n ? 0n : available, token)} unreserved, and a demonstration reserves ${formatMoney(bid, token)}. Nothing was reserved; /bids lists pools with money.`,
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
