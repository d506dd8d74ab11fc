// The bundle governance job (docs/economy.md section 10.6): closes the votes that have ended,
// launching the bundles that passed. It works on whatever is due, not on its period: each proposal
// is closed in its own transaction under its row lock and only while still "voting", so a retried
// or overlapping run never closes one twice.
import { defineJob } from "#src/job-kit.ts";

export const bundleVotesJob = defineJob({
  name: "bundle-votes",
  description: "Closes ended bundle votes: launches those that passed, rejects the rest",
  defaultSchedule: "*/10 * * * *",
  defaultTimeoutSeconds: 10 * 60,
  async run(ctx) {
    const closed = await ctx.services.datasetBundles.closeDue(ctx.now, { signal: ctx.signal });
    return {
      summary: `${closed.launched} bundle(s) launched, ${closed.rejected} rejected.`,
      data: closed,
    };
  },
});
