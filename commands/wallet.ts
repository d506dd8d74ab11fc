import { OFF_CHAIN_MESSAGE } from "#src/chain/chain.ts";
import { formatTime } from "./_format.ts";
import { type Ctx, commandGroup, requestOf, subcommand } from "./_kit.ts";

/** Linking works without a chain, but the member should know nothing moves on chain yet. */
const offChainNote = (ctx: Ctx) => (ctx.services.chain.connected ? "" : `\n\n${OFF_CHAIN_MESSAGE}`);

const link = subcommand({
  description: "Start linking your Solana wallet: get a one-time message to sign",
  personal: true,
  options: {
    address: {
      type: "string",
      description: "Your wallet's address (base58)",
      required: true,
      minLength: 32,
      maxLength: 44,
    },
  },
  async handler(ctx: Ctx, args) {
    const challenge = await ctx.services.chain.wallets.requestLink({
      ...requestOf(ctx),
      address: args.address,
    });
    return {
      title: "Sign this message with your wallet",
      text:
        `Sign the message below, unchanged, with the wallet ${challenge.address} (in a wallet app: "sign message"; ` +
        "with the Solana CLI: solana sign-offchain-message). Then paste the signature with " +
        `/wallet verify signature:<signature> before ${formatTime(challenge.expiresAt)}. ` +
        `Signing costs nothing and approves no transaction.\n\n${challenge.message}${offChainNote(ctx)}`,
      data: {
        address: challenge.address,
        message: challenge.message,
        nonce: challenge.nonce,
        expiresAt: challenge.expiresAt.toISOString(),
      },
    };
  },
});

const verify = subcommand({
  description: "Finish linking: paste your wallet's signature of the message",
  personal: true,
  options: {
    signature: {
      type: "string",
      description: "The base58 signature your wallet gave",
      required: true,
      minLength: 32,
      maxLength: 100,
    },
  },
  async handler(ctx: Ctx, args) {
    const linked = await ctx.services.chain.wallets.verifyLink({
      ...requestOf(ctx),
      signature: args.signature,
    });
    const replaced = linked.replaced ? ` It replaces ${linked.replaced}.` : "";
    return {
      title: "Wallet linked",
      text: `The wallet ${linked.address} is now linked to your account: withdrawals go there, and deposits from it are yours.${replaced}${offChainNote(ctx)}`,
      tone: "success",
      data: { address: linked.address, replaced: linked.replaced ?? null },
    };
  },
});

const show = subcommand({
  description: "Show the wallet linked to your account",
  personal: true,
  async handler(ctx: Ctx) {
    const wallet = await ctx.services.chain.wallets.walletOf(ctx.services.db.prisma, ctx.actor.userId);
    if (!wallet) {
      return {
        text: `No wallet is linked to your account. Link one with /wallet link address:<your wallet>.${offChainNote(ctx)}`,
        data: { wallet: null },
      };
    }
    return {
      text: `Your wallet: ${wallet.address} (linked ${formatTime(wallet.linkedAt)}).${offChainNote(ctx)}`,
      data: { wallet: { address: wallet.address, linkedAt: wallet.linkedAt.toISOString() } },
    };
  },
});

const unlink = subcommand({
  description: "Unlink your wallet from your account",
  personal: true,
  async handler(ctx: Ctx) {
    const { address } = await ctx.services.chain.wallets.unlink(requestOf(ctx));
    return {
      text: `The wallet ${address} is no longer linked to your account. Withdrawals already asked for still go to it.`,
      tone: "success",
      data: { address },
    };
  },
});

export default commandGroup({
  name: "wallet",
  description: "Your Solana wallet: link it by signing a message, show it, unlink it",
  category: "Money",
  subcommands: { link, verify, show, unlink },
});
