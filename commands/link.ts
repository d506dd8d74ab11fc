import { PLATFORM_NAMES } from "#src/identity/identity.ts";
import { formatTime } from "./_format.ts";
import { command } from "./_kit.ts";

export default command({
  name: "link",
  description: "Join your accounts on Discord, Telegram and the console into one",
  category: "General",
  personal: true,
  options: {
    code: {
      type: "string",
      description: "The code /link showed you on your other platform",
      minLength: 8,
      maxLength: 12,
    },
  },
  async handler(ctx, args) {
    const { db, identity } = ctx.services;
    if (!args.code) {
      const { code, expiresAt } = await db.transaction((tx) =>
        identity.createLinkCode(tx, ctx.actor.userId, ctx.platform, ctx.now),
      );
      return {
        title: "Link your accounts",
        text:
          `Your one-time code is **${code}**. On your other platform, type /link code:${code} ` +
          `before ${formatTime(expiresAt)}. Keep it to yourself: whoever enters it joins their account to yours.`,
        data: { code, expiresAt: expiresAt.toISOString() },
      };
    }
    const { intoUserId } = await db.transaction((tx) =>
      identity.redeemLinkCode(tx, ctx.actor.userId, args.code!, ctx.now),
    );
    const platforms = await identity.platformsOf(db.prisma, intoUserId);
    return {
      title: "Accounts linked",
      text: `Done: you are now one member on ${platforms.map((p) => PLATFORM_NAMES[p.platform]).join(" and ")}, with your balances together.`,
      tone: "success",
      data: { userId: intoUserId, platforms: platforms.map((p) => p.platform) },
    };
  },
});
