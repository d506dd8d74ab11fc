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

const appointmentOptions = {
  user: { type: "user", description: "The member", required: true },
  factory: { type: "integer", description: "One factory (default: every factory)", minValue: 1 },
} as const;

const scopeWords = (factoryId: number | undefined | null) =>
  factoryId ? `factory #${factoryId}` : "every factory except the ones they create";

const appoint = subcommand({
  description: "Appoint a reviewer of one factory or of all (moderators)",
  access: "moderator",
  options: appointmentOptions,
  async handler(ctx: Ctx, args) {
    const r = await ctx.services.submissions.appointReviewer({
      ...requestOf(ctx),
      user: args.user,
      ...(args.factory !== undefined ? { factoryId: args.factory } : {}),
    });
    const who = literal(args.user.displayName);
    return {
      text: r.appointed
        ? `${who} now reviews ${scopeWords(args.factory)}: they may score manual reviews, override grades and settle appeals there.`
        : `${who} already reviews ${scopeWords(args.factory)}; nothing changed.`,
      tone: "success",
      data: { userId: args.user.userId, factoryId: args.factory ?? null, appointed: r.appointed },
    };
  },
});

const remove = subcommand({
  description: "Remove a reviewer's appointment, of one factory or of all (moderators)",
  access: "moderator",
  options: appointmentOptions,
  async handler(ctx: Ctx, args) {
    const r = await ctx.services.submissions.removeReviewer({
      ...requestOf(ctx),
      user: args.user,
      ...(args.factory !== undefined ? { factoryId: args.factory } : {}),
    });
    const who = literal(args.user.displayName);
    return {
      text: r.removed
        ? `${who} no longer reviews ${scopeWords(args.factory)}.`
        : `${who} was not appointed to review ${scopeWords(args.factory)}; nothing changed. /review reviewers lists the appointments.`,
      tone: r.removed ? "success" : "warning",
      data: { userId: args.user.userId, factoryId: args.factory ?? null, removed: r.removed },
    };
  },
});

const reviewers = subcommand({
  description: "The appointed reviewers, of one factory or of all (moderators)",
  access: "moderator",
  options: { factory: appointmentOptions.factory },
  async handler(ctx: Ctx, args) {
    const { submissions, identity, db } = ctx.services;
    const rows = await submissions.reviewers(db.prisma, ctx.actor, args.factory);
    if (rows.length === 0)
      return {
        text: "No reviewer is appointed; moderators score alone. /review appoint user:@name appoints one.",
        data: { reviewers: [] },
      };
    const lines = [];
    for (const r of rows)
      lines.push(
        `${literal(await identity.displayName(db.prisma, r.userId))}: ${scopeWords(r.factoryId)} (since ${formatTime(r.createdAt)})`,
      );
    return {
      title: args.factory ? `Reviewers of factory #${args.factory}` : "Reviewers",
      text: lines.join("\n"),
      data: { reviewers: rows.map((r) => ({ userId: r.userId, factoryId: r.factoryId })) },
    };
  },
});

export default commandGroup({
  name: "review",
  description: "Manual review of demonstrations: queue, scores, appeals and reviewers",
  category: "Factories",
  subcommands: { queue, score, appeal, appoint, remove, reviewers },
});
