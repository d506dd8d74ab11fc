// The bot's periodic jobs are handed the services: src/epochs is generic over what a job gets (like
// the dispatcher over a command's services), and this binds it, as commands/_kit.ts does commands.
import type { JobContext as EpochJobContext, JobSpec as EpochJobSpec } from "./epochs/job.ts";
import type { Services } from "./services.ts";

export type JobSpec = EpochJobSpec<Services>;
export type JobContext = EpochJobContext<Services>;

/** A job of the bot (listed in src/jobs.ts), its run() handed the services. */
export const defineJob = (job: JobSpec): JobSpec => job;
