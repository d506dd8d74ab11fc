import { UserError } from "#src/core/errors.ts";
import { poolReply } from "#src/leaderboards/replies.ts";
import { type Ctx, command } from "./_kit.ts";
import { suggestFactories } from "./_suggest.ts";

export default command({
  name: "poolcard",
  description: "A factory's pool at a glance: funds left, reserved, paid, bid history",
  category: "Community",
  options: {
    factory: {
      type: "integer",
      description: "The factory's number",
      required: true,
      minValue: 1,
      autocomplete: suggestFactories,
    },
    token: { type: "token", description: "The pool's token (default: the factory's own)" },
  },
  async handler(ctx: Ctx, args) {
    const { leaderboards, config, tokens, db } = ctx.services;
    // A factory has one pool, in its own token: the option is only for pools of other kinds.
    let token = args.token;
    if (!token) {
      const factory = await db.prisma.factory.findUnique({
        where: { id: args.factory },
        select: { token: true },
      });
      if (!factory)
        throw new UserError(
          "unknown_pool",
          `There is no factory #${args.factory}. /bids lists the live ones.`,
        );
      token = tokens.get(factory.token);
    }
    const pool = await leaderboards.summaries.pool(args.factory, token, ctx.now);
    return await poolReply(pool, config.CARD_IMAGES);
  },
});
