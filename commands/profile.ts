import { profileReply } from "#src/leaderboards/replies.ts";
import { type Ctx, command } from "./_kit.ts";

export default command({
  name: "profile",
  description: "A member's profile card: reputation, XP and level, tier, earnings",
  category: "Community",
  options: { user: { type: "user", description: "Whose profile (default: yours)" } },
  async handler(ctx: Ctx, args) {
    const { leaderboards, config } = ctx.services;
    const userId = args.user?.userId ?? ctx.actor.userId;
    const profile = await leaderboards.summaries.profile(userId, ctx.now);
    // The platform gives the picture of the member who asks; another member's card has none.
    if (config.CARD_IMAGES && userId === ctx.actor.userId) {
      // Loaded here, not at start: see src/leaderboards/replies.ts.
      const { decodeAvatar } = await import("#src/leaderboards/cards/profile-card.ts");
      const avatar = await decodeAvatar(await ctx.avatar?.());
      if (avatar) profile.view.avatar = avatar;
    }
    return await profileReply(profile, config.CARD_IMAGES);
  },
});
