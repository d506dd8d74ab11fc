// Every periodic job of the bot; the scheduler runs these. Features add theirs here.
import { arenaEmissionJob } from "./arena/emission-job.ts";
import { withdrawalsJob } from "./chain/withdrawals-job.ts";
import { pendingGradesJob, reputationDecayJob, reservationExpiryJob } from "./economy/pools-jobs.ts";
import { unstakeReleaseJob } from "./economy/unstake-release-job.ts";
import type { JobSpec } from "./epochs/job.ts";
import { jobRunsRetentionJob } from "./epochs/retention-job.ts";
import { leaderboardPostsJob } from "./leaderboards/posts-job.ts";

export const jobs: JobSpec[] = [
  withdrawalsJob,
  arenaEmissionJob,
  reservationExpiryJob,
  pendingGradesJob,
  reputationDecayJob,
  unstakeReleaseJob,
  leaderboardPostsJob,
  jobRunsRetentionJob,
];

const MINUTES = 60;
const HOURS = 60 * MINUTES;

/**
 * How long one run of each job may take, in seconds, before it is stopped and retried; JOB_TIMEOUTS
 * replaces these, and JOB_TIMEOUT_SECONDS covers a job missing here. Each is well beyond a healthy
 * run and short enough that a hung run does not hold its job's later periods for long: minutes for
 * the jobs that tick every minute or ten, longer for the daily ones over every member or the whole
 * arena network.
 */
export const jobTimeoutSeconds: Readonly<Record<string, number>> = {
  withdrawals: 5 * MINUTES,
  "arena-emission": 2 * HOURS,
  "reservation-expiry": 10 * MINUTES,
  "pending-grades": 5 * MINUTES,
  "reputation-decay": 30 * MINUTES,
  "unstake-releases": 10 * MINUTES,
  "leaderboard-posts": 5 * MINUTES,
  "job-runs-retention": 30 * MINUTES,
};
