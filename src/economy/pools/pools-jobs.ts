// The pools' periodic jobs: reservations whose grade never came go back to their pools (exactly
// once: the submission row's lock and status, and the ledger's key); submissions a restart left
// queued are graded; reputations decay without activity. Each stops between two items when its
// run times out (ctx.signal); every item is its own transaction, so the retry finds whole ones.
import { defineJob } from "#src/job-kit.ts";

export const reservationExpiryJob = defineJob({
  name: "reservation-expiry",
  description: "Returns to their pools the bids reserved for submissions never graded in time",
  defaultSchedule: "*/10 * * * *",
  defaultTimeoutSeconds: 10 * 60,
  async run(ctx) {
    const expired = await ctx.services.submissions.expireDue(ctx.now, { signal: ctx.signal });
    return { summary: `${expired} reservation(s) expired and returned to their pools.`, data: { expired } };
  },
});

export const pendingGradesJob = defineJob({
  name: "pending-grades",
  description: "Grades submissions left queued (after a restart, or when a grader failed)",
  defaultSchedule: "* * * * *",
  defaultTimeoutSeconds: 5 * 60,
  async run(ctx) {
    const queued = await ctx.services.submissions.resumeQueued(ctx.signal);
    return { summary: `${queued} queued submission(s) handed to the graders.`, data: { queued } };
  },
});

export const reputationDecayJob = defineJob({
  name: "reputation-decay",
  description: "Recomputes every farmer's reputation, decaying it without activity",
  defaultSchedule: "15 0 * * *",
  defaultTimeoutSeconds: 30 * 60,
  async run(ctx) {
    const farmers = await ctx.services.reputation.refreshAll(ctx.now, ctx.signal);
    return { summary: `${farmers} farmer reputation(s) recomputed.`, data: { farmers } };
  },
});
