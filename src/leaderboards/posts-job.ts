// Every minute, in every bot process: post the scheduled leaderboards that are due. Each schedule's
// period is claimed in the database first, and a claim whose sender died or failed is retried after a
// lease (see schedules.ts and post-claims.ts), so it is posted once in all.
import { defineJob } from "#src/job-kit.ts";

export const leaderboardPostsJob = defineJob({
  name: "leaderboard-posts",
  description: "Posts scheduled leaderboards in their channels, once per scheduled time",
  defaultSchedule: "* * * * *",
  defaultTimeoutSeconds: 5 * 60,
  async run(ctx) {
    const { services } = ctx;
    const report = await services.leaderboards.schedules.postDue(ctx.now, services.notifier, {
      images: services.config.CARD_IMAGES,
      log: ctx.log,
      signal: ctx.signal,
    });
    return {
      summary:
        `${report.posted} scheduled leaderboard(s) posted (${report.resumed} retried), ` +
        `${report.failed} attempt(s) failed, ${report.gaveUp} given up.`,
      data: { ...report },
    };
  },
});
