// Moderators appoint and remove the reviewers who score manual reviews with them (never a factory's
// creator: docs/economy.md section 4): /admin reviewer appoint|remove|list (commands/admin.ts), so
// Discord shows these only to moderators.
import { literal } from "#src/core/markup.ts";
import { formatTime } from "./_format.ts";
import { type Ctx, requestOf, subcommand } from "./_kit.ts";

const appointmentOptions = {
  user: { type: "user", description: "The member", required: true },
  factory: { type: "integer", description: "One factory (default: every factory)", minValue: 1 },
} as const;

const scopeWords = (factoryId: number | undefined | null) =>
  factoryId ? `factory #${factoryId}` : "every factory except the ones they create";

const appoint = subcommand({
  description: "Appoint a reviewer of one factory or of all",
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
  description: "Remove a reviewer's appointment, of one factory or of all",
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
        : `${who} was not appointed to review ${scopeWords(args.factory)}; nothing changed. /admin reviewer list shows the appointments.`,
      tone: r.removed ? "success" : "warning",
      data: { userId: args.user.userId, factoryId: args.factory ?? null, removed: r.removed },
    };
  },
});

const reviewers = subcommand({
  description: "The appointed reviewers, of one factory or of all",
  access: "moderator",
  options: { factory: appointmentOptions.factory },
  async handler(ctx: Ctx, args) {
    const { submissions, identity, db } = ctx.services;
    const rows = await submissions.reviewers(db.prisma, ctx.actor, args.factory);
    if (rows.length === 0)
      return {
        text: "No reviewer is appointed; moderators score alone. /admin reviewer appoint user:@name appoints one.",
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

export const reviewerAppointments = {
  description: "Reviewers who score manual reviews with the moderators",
  subcommands: { appoint, remove, list: reviewers },
};
