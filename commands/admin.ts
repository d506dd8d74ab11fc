import { literal } from "#src/core/markup.ts";
import { MAX_REASON_LENGTH } from "#src/economy/funds.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { epochRuns } from "./_epoch-run.ts";
import { decimalString, formatMoney } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";
import { leaderboardPosts } from "./_leaderboard-posts.ts";
import { reviewerAppointments } from "./_reviewers.ts";
import { bundleModeration } from "./dataset/bundles.ts";

const movementOptions = {
  user: { type: "user", description: "The member", required: true },
  amount: { type: "amount", description: "How much, e.g. 12.5 or 1,000", required: true },
  token: { type: "token", description: "Which token, e.g. USDC", required: true },
  reason: {
    type: "string",
    description: "Why: kept with the transfer for the audit",
    required: true,
    maxLength: MAX_REASON_LENGTH,
  },
} as const;

function movement(direction: "credit" | "debit") {
  return subcommand({
    description:
      direction === "credit"
        ? "Add to a member's balance from outside"
        : "Take from a member's balance to outside",
    access: "moderator",
    // The member's balance is theirs: the moderator reads it privately (ephemeral on Discord, in
    // the private chat on Telegram with a pointer in the group), and the member is told by notice.
    personal: true,
    options: movementOptions,
    async handler(ctx: Ctx, args) {
      const amountAtoms = parsePositiveAmount(args.amount, args.token);
      const request = {
        ...requestOf(ctx),
        userId: args.user.userId,
        token: args.token.symbol,
        amountAtoms,
        reason: args.reason,
      };
      const result =
        direction === "credit"
          ? await ctx.services.funds.credit(request)
          : await ctx.services.funds.debit(request);
      const money = formatMoney(amountAtoms, args.token);
      const balance = formatMoney(result.balanceAtoms, args.token);
      const self = args.user.userId === ctx.actor.userId;
      const whom = self ? "your balance" : literal(args.user.displayName);
      const whose = self ? "Your" : `${literal(args.user.displayName)}'s`;
      return {
        text:
          `${direction === "credit" ? `Credited ${money} to` : `Debited ${money} from`} ${whom} ` +
          `(reason: ${literal(args.reason.trim())}). ${whose} balance is now ${balance}.`,
        tone: "success",
        data: {
          userId: args.user.userId,
          token: args.token.symbol,
          amount: decimalString(amountAtoms, args.token),
          balance: decimalString(result.balanceAtoms, args.token),
          transferId: result.transferId.toString(),
        },
      };
    },
  });
}

export default commandGroup({
  name: "admin",
  description: "Moderator tools: credits, debits, leaderboard posts, jobs, reviewers, bundles",
  access: "moderator",
  category: "Moderators",
  subcommands: {
    credit: movement("credit"),
    debit: movement("debit"),
  },
  // Everything moderators run lives under /admin (or /audit): Discord hides these commands from
  // members who may not manage the server, which it cannot do for one subcommand of a command.
  groups: {
    leaderboard: leaderboardPosts,
    epoch: epochRuns,
    reviewer: reviewerAppointments,
    bundle: bundleModeration,
  },
});
