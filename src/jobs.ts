// Every periodic job of the bot; the scheduler runs these. Features add theirs here.

import { recordingRetentionJob } from "#src/datasets/datasets-jobs.ts";
import { unstakeReleaseJob } from "#src/economy/ambassadors/unstake-release-job.ts";
import {
  pendingGradesJob,
  reputationDecayJob,
  reservationExpiryJob,
  reviewReminderJob,
} from "#src/economy/pools/pools-jobs.ts";
import { arenaEmissionJob } from "./arena/emission-job.ts";
import { withdrawalsJob } from "./chain/withdrawals-job.ts";
import { bundleVotesJob } from "./dataset-tokens/bundle-job.ts";
import { idempotencyRetentionJob } from "./epochs/idempotency-retention-job.ts";
import { jobRunsRetentionJob } from "./epochs/retention-job.ts";
import type { JobSpec } from "./job-kit.ts";
import { leaderboardPostsJob } from "./leaderboards/posts-job.ts";

export const jobs: JobSpec[] = [
  withdrawalsJob,
  arenaEmissionJob,
  reservationExpiryJob,
  pendingGradesJob,
  reputationDecayJob,
  reviewReminderJob,
  unstakeReleaseJob,
  leaderboardPostsJob,
  jobRunsRetentionJob,
  idempotencyRetentionJob,
  recordingRetentionJob,
  bundleVotesJob,
];
