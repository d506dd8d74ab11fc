import { isNativeSol } from "#src/chain/assets.ts";
import { notConnected } from "#src/chain/chain.ts";
import { DEPOSIT_CODE } from "#src/chain/deposit-code.ts";
import { depositReference } from "#src/chain/deposit-reference.ts";
import { decimalString, formatMoney, registerTransferLabels } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

registerTransferLabels({ [DEPOSIT_CODE]: "deposit from Solana" });

const address = subcommand({
  description: "Where to send tokens on Solana, and your deposit reference",
  personal: true,
  async handler(ctx: Ctx) {
    const { chain, tokens } = ctx.services;
    if (!chain.connected || !chain.treasury) throw notConnected();
    const treasury = chain.treasury.address.toBase58();
    const accepted = tokens.all().filter((t) => t.mint || isNativeSol(t));
    const reference = depositReference(ctx.actor.userId);
    return {
      title: "Deposit on Solana",
      text:
        `Send ${accepted.map((t) => t.symbol).join(", ")} to the treasury wallet ${treasury} ` +
        "(for tokens, send to this wallet address: your wallet app finds its token account).\n" +
        "From a wallet you linked with /wallet link, nothing else is needed. From any other wallet " +
        `(an exchange, a friend's), put your reference ${reference} in the transfer's memo.\n` +
        "Once the transaction is finalized (about 15 seconds after it confirms), run " +
        "/deposit verify signature:<transaction signature> to have it credited.",
      data: {
        treasury,
        reference,
        tokens: accepted.map((t) => ({ symbol: t.symbol, mint: t.mint ?? null, decimals: t.decimals })),
      },
    };
  },
});

const verify = subcommand({
  description: "Credit a finalized deposit to the treasury from its transaction signature",
  personal: true,
  options: {
    signature: {
      type: "string",
      description: "The transaction's signature (base58), as your wallet or an explorer shows it",
      required: true,
      minLength: 32,
      maxLength: 100,
    },
    token: { type: "token", description: "The token you sent, if you want it checked" },
  },
  async handler(ctx: Ctx, args) {
    const { chain, tokens } = ctx.services;
    const result = await chain.deposits.verify({
      ...requestOf(ctx),
      signature: args.signature,
      ...(args.token ? { token: args.token } : {}),
    });
    const token = tokens.get(result.token);
    const mine = result.userId === ctx.actor.userId;
    return {
      title: "Deposit credited",
      text: mine
        ? `Credited ${formatMoney(result.amountAtoms, token)} to your balance from Solana transaction ${result.signature} (slot ${result.slot}). Your balance: ${formatMoney(result.balanceAtoms, token)}.`
        : `That deposit of ${formatMoney(result.amountAtoms, token)} belongs to another member (by its ${result.matchedBy === "memo" ? "memo's reference" : "linked wallet"}), so it was credited to them, not to you.`,
      tone: "success",
      data: {
        signature: result.signature,
        token: result.token,
        amount: decimalString(result.amountAtoms, token),
        creditedToYou: mine,
        matchedBy: result.matchedBy,
        slot: result.slot.toString(),
        ...(mine ? { balance: decimalString(result.balanceAtoms, token) } : {}),
      },
    };
  },
});

export default commandGroup({
  name: "deposit",
  description: "Deposit tokens from Solana: where to send them, and crediting a transaction",
  category: "Money",
  subcommands: { address, verify },
});
