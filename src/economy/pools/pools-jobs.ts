// The pools' periodic jobs: reservations whose grade never came go back to their pools (exactly
// once: the submission row's lock and status, and the ledger's key); submissions a restart left
// queued are graded; reputations decay without activity; moderators are reminded daily of what
// has waited over a day for a person (a rerun of a period only repeats the reminder). Each stops between two items when its
// run times out (ctx.signal); every item is its own transaction, so the retry finds whole ones.
import { countOf } from "#src/core/counts.ts";
import { defineJob } from "#src/job-kit.ts";

export const reservationExpiryJob = defineJob({
  name: "reservation-expiry",
  description: "Returns to their pools the bids reserved for queued submissions never graded in time",
  defaultSchedule: "*/10 * * * *",
  defaultTimeoutSeconds: 10 * 60,
  async run(ctx) {
    const expired = await ctx.services.submissions.expireDue(ctx.now, { signal: ctx.signal });
    return {
      summary: `${countOf(expired, "reservation")} expired and returned to their pools.`,
      data: { expired },
    };
  },
});

export const pendingGradesJob = defineJob({
  name: "pending-grades",
  description: "Grades submissions left queued (after a restart, or when a grader failed)",
  defaultSchedule: "* * * * *",
  defaultTimeoutSeconds: 5 * 60,
  async run(ctx) {
    const queued = await ctx.services.submissions.resumeQueued(ctx.signal);
    return { summary: `${countOf(queued, "queued submission")} handed to the graders.`, data: { queued } };
  },
});

export const reputationDecayJob = defineJob({
  name: "reputation-decay",
  description: "Recomputes every farmer's reputation, decaying it without activity",
  defaultSchedule: "15 0 * * *",
  defaultTimeoutSeconds: 30 * 60,
  async run(ctx) {
    const farmers = await ctx.services.reputation.refreshAll(ctx.now, ctx.signal);
    return { summary: `${countOf(farmers, "farmer reputation")} recomputed.`, data: { farmers } };
  },
});

export const reviewReminderJob = defineJob({
  name: "review-reminder",
  description: "Tells the moderators what has waited more than a day for a person to score it",
  defaultSchedule: "0 9 * * *",
  defaultTimeoutSeconds: 10 * 60,
  async run(ctx) {
    const { overdue, reminded } = await ctx.services.submissions.remindModerators(ctx.now, ctx.signal);
    return {
      summary: `${countOf(overdue, "item")} waiting over a day for a reviewer; ${countOf(reminded, "moderator")} reminded.`,
      data: { overdue, reminded },
    };
  },
});
