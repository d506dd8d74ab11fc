import { poolReply } from "#src/leaderboards/replies.ts";
import { type Ctx, command } from "./_kit.ts";

export default command({
  name: "poolcard",
  description: "A factory's pool at a glance: funds left, reserved, paid, bid history",
  category: "Community",
  options: {
    factory: { type: "integer", description: "The factory's number", required: true, minValue: 1 },
    token: { type: "token", description: "The pool's token, e.g. USDC", required: true },
  },
  async handler(ctx: Ctx, args) {
    const { leaderboards, config } = ctx.services;
    const pool = await leaderboards.summaries.pool(args.factory, args.token, ctx.now);
    return poolReply(pool, config.CARD_IMAGES);
  },
});
