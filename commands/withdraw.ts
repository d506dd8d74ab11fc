import { WITHDRAWAL_CODES, type WithdrawalView } from "#src/chain/withdrawals.ts";
import { UserError } from "#src/core/errors.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { decimalString, formatMoney, formatTime, registerTransferLabels } from "./_format.ts";
import { type Ctx, commandGroup, paging, requestOf, subcommand } from "./_kit.ts";

registerTransferLabels({
  [WITHDRAWAL_CODES.requested]: "withdrawal to Solana",
  [WITHDRAWAL_CODES.refunded]: "withdrawal returned",
});

const requestOptions = {
  amount: { type: "amount", description: "How much, e.g. 12.5", required: true },
  token: { type: "token", description: "Which token, e.g. USDC", required: true },
} as const;

const request = subcommand({
  description: "Withdraw tokens to your linked Solana wallet",
  personal: true,
  options: requestOptions,
  async confirm(ctx: Ctx, args) {
    const { chain, db } = ctx.services;
    const amountAtoms = parsePositiveAmount(args.amount, args.token);
    const { destination, availableAtoms } = await chain.withdrawals.preview(db.prisma, {
      actor: ctx.actor,
      token: args.token,
      amountAtoms,
    });
    if (availableAtoms < amountAtoms) {
      throw new UserError(
        "insufficient_funds",
        `Insufficient funds: ${formatMoney(availableAtoms, args.token)} available, ${formatMoney(amountAtoms, args.token)} needed.`,
      );
    }
    return {
      title: "Withdraw to Solana?",
      text:
        `Send ${formatMoney(amountAtoms, args.token)} to your wallet ${destination}? It leaves your balance now and ` +
        "goes out in the next batch, usually within a couple of minutes; the treasury pays the network fee. " +
        "Once sent on chain it cannot be undone.",
      data: {
        token: args.token.symbol,
        amount: decimalString(amountAtoms, args.token),
        destination,
        available: decimalString(availableAtoms, args.token),
      },
    };
  },
  async handler(ctx: Ctx, args) {
    const { chain } = ctx.services;
    const amountAtoms = parsePositiveAmount(args.amount, args.token);
    const { withdrawal, balanceAtoms } = await chain.withdrawals.request({
      ...requestOf(ctx),
      token: args.token,
      amountAtoms,
    });
    return {
      title: "Withdrawal queued",
      text:
        `Withdrawal #${withdrawal.id} of ${formatMoney(amountAtoms, args.token)} to ${withdrawal.destination} is queued for the next batch. ` +
        `/withdraw status follows it. Your balance: ${formatMoney(balanceAtoms, args.token)}.`,
      tone: "success",
      data: { withdrawal: viewData(ctx, withdrawal), balance: decimalString(balanceAtoms, args.token) },
    };
  },
});

const STATUS_WORDS: Record<WithdrawalView["status"], string> = {
  pending: "waiting for the next batch",
  sending: "sent, waiting to be finalized",
  sent: "sent",
  failed: "failed, money returned",
};

const status = subcommand({
  description: "Your withdrawals and their transaction signatures",
  personal: true,
  async handler(ctx: Ctx) {
    const { chain, db, tokens } = ctx.services;
    const paged = paging(ctx);
    const { items, total } = await chain.withdrawals.list(db.prisma, ctx.actor.userId, paged.window);
    if (items.length === 0) {
      const off = chain.connected ? "" : ` ${chainOffNote}`;
      return {
        text: paged.empty(`You have no withdrawals.${off}`),
        data: { withdrawals: [] },
      };
    }
    return {
      ...paged.of(total, "Your withdrawals"),
      text: items
        .map((w) => {
          const money = formatMoney(w.amountAtoms, tokens.get(w.token));
          const why = w.status === "failed" && w.failureReason ? ` (${w.failureReason})` : "";
          const signature = w.signature ? `, transaction ${w.signature}` : "";
          return `#${w.id} ${formatTime(w.createdAt)}: ${money} to ${w.destination}: ${STATUS_WORDS[w.status]}${why}${signature}`;
        })
        .join("\n"),
      data: { withdrawals: items.map((w) => viewData(ctx, w)) },
    };
  },
});

const chainOffNote = "The bot is not connected to Solana; moderators pay out with /admin debit.";

function viewData(ctx: Ctx, w: WithdrawalView) {
  return {
    id: w.id,
    token: w.token,
    amount: decimalString(w.amountAtoms, ctx.services.tokens.get(w.token)),
    destination: w.destination,
    status: w.status,
    signature: w.signature,
    failureReason: w.failureReason,
    createdAt: w.createdAt.toISOString(),
    settledAt: w.settledAt?.toISOString() ?? null,
  };
}

export default commandGroup({
  name: "withdraw",
  description: "Withdraw tokens to your Solana wallet, and follow your withdrawals",
  category: "Money",
  subcommands: { request, status },
});
