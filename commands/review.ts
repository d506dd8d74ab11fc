import { literal } from "#src/core/markup.ts";
import { REVIEW_WINDOW_DAYS } from "#src/economy/pools/review.ts";
import { submissionStatus } from "#src/economy/pools/statuses.ts";
import { decimalString, formatMoney, formatTime } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";
import { suggestSubmissions } from "./_suggest.ts";

const submissionOption = {
  submission: {
    type: "integer",
    description: "The submission's number",
    required: true,
    minValue: 1,
    autocomplete: suggestSubmissions,
  },
} as const;

const queue = subcommand({
  description: "Submissions waiting for a person that you may score: manual reviews and appeals",
  async handler(ctx: Ctx) {
    const items = await ctx.services.submissions.reviewQueue(ctx.services.db.prisma, ctx.actor);
    if (items.length === 0)
      return {
        text: "Nothing waits for a review that you may score (a factory's creator never scores its demonstrations).",
        data: { items: [] },
      };
    return {
      title: "Review queue",
      text: items
        .map((s) =>
          submissionStatus(s) === "manual_review"
            ? `#${s.id} factory #${s.factoryId} "${literal(s.task.title)}": needs a score (since ${formatTime(s.createdAt)})`
            : `#${s.id} factory #${s.factoryId} "${literal(s.task.title)}": appeal of score ${s.score} — "${literal(s.appealReason ?? "")}"`,
        )
        .join("\n"),
      data: {
        items: items.map((s) => ({
          id: s.id,
          factoryId: s.factoryId,
          status: s.status,
          score: s.score,
          appeal: s.appealReason,
        })),
      },
    };
  },
});

const score = subcommand({
  description: "Score a submission by hand (moderators and appointed reviewers, never the creator)",
  options: {
    ...submissionOption,
    score: { type: "integer", description: "Quality 0-100", required: true, minValue: 0, maxValue: 100 },
    reason: { type: "string", description: "Why, for the farmer", maxLength: 300 },
  },
  async handler(ctx: Ctx, args) {
    const { submissions, tokens } = ctx.services;
    const r = await submissions.review({
      ...requestOf(ctx),
      submissionId: args.submission,
      score: args.score,
      ...(args.reason ? { reason: args.reason } : {}),
    });
    const view = r.view;
    const token = view ? tokens.get(view.token) : undefined;
    const text =
      r.kind === "settled"
        ? `Submission #${args.submission} scored ${args.score} and settled: the farmer receives ${formatMoney(view!.farmerAtoms, token!)}, ${formatMoney(view!.refundAtoms, token!)} back to the pool.`
        : r.kind === "raised"
          ? view!.paidGrossAtoms > 0n
            ? `Score raised from ${r.previous} to ${args.score}: the farmer receives the difference, ${formatMoney(view!.farmerAtoms, token!)}.`
            : `Score raised from ${r.previous} to ${args.score}, still below the pool's threshold: nothing more is paid.`
          : r.kind === "lowered"
            ? `Score lowered from ${r.previous} to ${args.score}. What was paid stays paid: lowering a score never claws money back.`
            : `The score stays ${args.score}.`;
    return {
      title: `Submission #${args.submission}: ${args.score}/100`,
      text,
      tone: "success",
      data: {
        kind: r.kind,
        score: args.score,
        ...(view && token
          ? {
              farmer: decimalString(view.farmerAtoms, token),
              fee: decimalString(view.feeAtoms, token),
              refund: decimalString(view.refundAtoms, token),
            }
          : {}),
      },
    };
  },
});

const appeal = subcommand({
  description: `Ask a person to look at your score again (within ${REVIEW_WINDOW_DAYS} days)`,
  options: {
    ...submissionOption,
    reason: { type: "string", description: "What the grader got wrong", required: true, maxLength: 300 },
  },
  async handler(ctx: Ctx, args) {
    await ctx.services.submissions.appeal({
      ...requestOf(ctx),
      submissionId: args.submission,
      reason: args.reason,
    });
    return {
      text: `Your appeal of submission #${args.submission} is with the reviewers. If they raise the score you are paid the difference; a lower score never takes money back.`,
      tone: "success",
      data: { submissionId: args.submission, appealed: true },
    };
  },
});

export default commandGroup({
  name: "review",
  description: "Manual review of demonstrations: queue, scores, appeals and reviewers",
  category: "Factories",
  // Appointing reviewers is for moderators only: /admin reviewer (commands/_reviewers.ts), so
  // Discord can hide it from members.
  subcommands: { queue, score, appeal },
});
