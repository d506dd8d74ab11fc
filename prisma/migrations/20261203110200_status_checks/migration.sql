-- Written by hand: Prisma's schema language has no CHECK constraints. Each status-like column holds
-- only the values of its TypeScript union (named beside each constraint), so a typo in a raw SQL
-- write fails at once instead of leaving a row no code recognises. job_runs.status (epochs),
-- withdrawals.status and withdrawal_batches.status (solana) were checked from their first migration.

-- src/ledger/transfers.ts: TransferKind, TransferStatus.
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_kind_known"
  CHECK ("kind" IN ('single', 'pending', 'post', 'void'));
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_status_known"
  CHECK ("status" IN ('posted', 'pending', 'voided', 'expired'));

-- src/core/actions.ts: ActionKind, Resolution (null while the action is open).
ALTER TABLE "pending_actions" ADD CONSTRAINT "pending_actions_kind_known"
  CHECK ("kind" IN ('confirm', 'page', 'draft'));
ALTER TABLE "pending_actions" ADD CONSTRAINT "pending_actions_resolution_known"
  CHECK ("resolution" IS NULL OR "resolution" IN ('confirmed', 'failed', 'cancelled', 'superseded'));

-- src/leaderboards/post-claims.ts: PostStatus.
ALTER TABLE "leaderboard_posts" ADD CONSTRAINT "leaderboard_posts_status_known"
  CHECK ("status" IN ('sending', 'retry', 'posted', 'failed'));
