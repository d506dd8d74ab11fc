// /referral: an ambassador's code and ready-to-post link, claiming a referrer, and what referrals
// have earned (docs/economy.md section 6). Telegram's /start ref_<code> deep link runs /referral use.

import { UserError } from "#src/core/errors.ts";
import { literal } from "#src/core/markup.ts";
import { referralStats } from "#src/economy/ambassadors/ambassador-views.ts";
import { STAKE_TOKEN } from "#src/economy/ambassadors/tiers.ts";
import {
  COMMISSION_LABELS,
  countOf,
  decimalString,
  formatMoney,
  formatTime,
  registerTransferLabels,
} from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

registerTransferLabels({
  ...COMMISSION_LABELS,
});

const link = subcommand({
  description: "Your referral code, a message to post, and on Discord your personal server invite",
  // Only to the ambassador (it mentions their tier): they copy the message where they want it.
  personal: true,
  async handler(ctx: Ctx) {
    const { referrals, config, staking } = ctx.services;
    const code = await referrals.codeOf(ctx.actor.userId);
    const telegram = config.TELEGRAM_BOT_USERNAME
      ? `https://t.me/${config.TELEGRAM_BOT_USERNAME}?start=ref_${code}`
      : undefined;
    const web = config.REFERRAL_LINK_BASE
      ? `${config.REFERRAL_LINK_BASE}${config.REFERRAL_LINK_BASE.includes("?") ? "&" : "?"}ref=${code}`
      : undefined;
    // Telegram members get the deep link first; elsewhere the deployment's link, if any.
    const url = ctx.platform === "telegram" ? (telegram ?? web) : (web ?? telegram);
    const how = url
      ? `Open ${url}${ctx.platform === "telegram" || !url.startsWith("https://t.me/") ? "" : " on Telegram"} or type /referral use code:${code}`
      : `Type /referral use code:${code}`;
    const invite = await personalInvite(ctx);
    const post =
      invite && "url" in invite
        ? `Join me on ${config.BOT_NAME}: fund data-collection factories or earn by recording demonstrations. ` +
          `Join through ${invite.url}: that records me as your referrer, nothing to type.`
        : `Join me on ${config.BOT_NAME}: fund data-collection factories or earn by recording demonstrations. ` +
          `${how} before your first funding or submission.`;
    const { tier } = await staking.amountsOf(ctx.services.db.prisma, ctx.actor.userId);
    const note =
      tier === 0
        ? "You have no CLONES staked, so referrals earn nothing yet (they stay recorded): /stake add raises your tier."
        : `Your tier ${tier}: you earn ${tier}% of each reward your referrals are paid or pay, out of the platform fee.`;
    return {
      title: "Your referral link",
      text: `Your code: ${code}${invite && "url" in invite ? `\nYour personal invite to this server: ${invite.url}` : ""}\n\nReady to post:\n${post}\n\n${note}${invite && "problem" in invite ? `\n\n${invite.problem}` : ""}`,
      data: {
        code,
        url: url ?? null,
        telegram: telegram ?? null,
        web: web ?? null,
        invite: invite && "url" in invite ? invite.url : null,
        post,
        tier,
      },
    };
  },
});

/**
 * On Discord, in a server channel, with invite tracking on: the ambassador's personal invite (made
 * once per server), or why there is none. Elsewhere nothing: the code and links do the work.
 */
async function personalInvite(ctx: Ctx): Promise<{ url: string } | { problem: string } | undefined> {
  const { referralInvites } = ctx.services;
  if (ctx.platform !== "discord" || ctx.isPrivateChat || !ctx.channel || !referralInvites.available)
    return undefined;
  try {
    return await referralInvites.personalInvite(ctx.actor, ctx.channel.id);
  } catch (error) {
    if (error instanceof UserError) return { problem: error.message };
    // Discord refused (most often: the bot lacks Create Invite here). The code still works.
    ctx.log.warn({ err: error }, "could not make a personal invite");
    return {
      problem:
        "No personal invite this time: Discord did not let the bot make one in this channel (it needs Create Invite and Manage Server). Your code works meanwhile.",
    };
  }
}

const use = subcommand({
  description: "Record who referred you (once, before your first funding or submission)",
  options: {
    code: { type: "string", description: "The referral code you were given", required: true, maxLength: 64 },
  },
  async handler(ctx: Ctx, args) {
    const result = await ctx.services.referrals.use({
      ...requestOf(ctx),
      code: args.code,
    });
    return {
      title: "Referral recorded",
      text: `You were referred by ${literal(result.referrerName)}. Welcome! Type /help to see what you can do.`,
      tone: "success",
      data: { referrerUserId: result.referrerUserId, referrer: result.referrerName },
    };
  },
});

const stats = subcommand({
  description: "Who you referred, their activity, and your commissions",
  personal: true,
  async handler(ctx: Ctx) {
    const { db, tokens, staking } = ctx.services;
    const s = await referralStats(db.prisma, ctx.actor.userId, ctx.now);
    const { tier } = await staking.amountsOf(db.prisma, ctx.actor.userId);
    const people =
      s.referred.length === 0
        ? ["You have referred no one yet: /referral link gives you a message to post."]
        : s.referred.map(
            (r) =>
              `• ${literal(r.displayName)}, since ${formatTime(r.referredAt)}: ${countOf(r.activity, "funding or submission", "fundings and submissions")}` +
              (r.lastActiveAt ? `, last ${formatTime(r.lastActiveAt)}` : ""),
          );
    const money =
      s.commissions.length === 0
        ? ["No commissions yet."]
        : s.commissions.map(
            (c) =>
              `• ${c.period}: ${formatMoney(c.atoms, tokens.get(c.token))} in ${countOf(c.payments, "payment")}`,
          );
    return {
      title: "Your referrals",
      text: [
        `Your tier: ${tier === 0 ? `none (stake ${STAKE_TOKEN} with /stake add to earn)` : `${tier} (${tier}%)`}`,
        `Referred members (${s.referred.length}):`,
        ...people,
        "Commissions:",
        ...money,
      ].join("\n"),
      data: {
        tier,
        referred: s.referred.map((r) => ({
          userId: r.userId,
          name: r.displayName,
          referredAt: r.referredAt.toISOString(),
          activity: r.activity,
          lastActiveAt: r.lastActiveAt?.toISOString() ?? null,
        })),
        commissions: s.commissions.map((c) => ({
          token: c.token,
          period: c.period,
          amount: decimalString(c.atoms, tokens.get(c.token)),
          payments: c.payments,
        })),
      },
    };
  },
});

export default commandGroup({
  name: "referral",
  description: "Refer members and earn commissions from the platform fee",
  category: "Ambassadors",
  subcommands: { link, use, stats },
});
