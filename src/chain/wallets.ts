// Linking a member's Solana wallet: /wallet link writes a one-time message, /wallet verify checks
// the wallet's signature of it and links the wallet. A wallet belongs to one member; a member has
// one wallet at a time (linking another replaces it). Each message links once, until it expires.
import { randomBytes } from "node:crypto";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import type { Database, Tx, TxClient } from "#src/db/database.ts";

// The proofs need @solana/web3.js (an address's curve check), loaded on the first /wallet command
// rather than at start-up: see chain.ts.
const walletProof = () => import("./wallet-proof.ts");

export interface WalletsOptions {
  /** The bot's name, written into the message so a signature names where it was given. */
  botName: string;
  challengeTtlSeconds: number;
}

export interface LinkedWallet {
  address: string;
  linkedAt: Date;
}

export interface LinkChallenge {
  address: string;
  message: string;
  nonce: string;
  expiresAt: Date;
}

/** How far back /wallet verify looks for the message a signature signs. */
const RECENT_CHALLENGES = 20;

export class Wallets {
  constructor(
    private readonly db: Database,
    private readonly options: WalletsOptions,
  ) {}

  async walletOf(db: TxClient, userId: number): Promise<LinkedWallet | undefined> {
    const row = await db.wallet.findUnique({ where: { userId } });
    return row ? { address: row.address, linkedAt: row.linkedAt } : undefined;
  }

  /** The member a wallet is linked to, if any. */
  async ownerOf(db: TxClient, address: string): Promise<number | undefined> {
    const row = await db.wallet.findUnique({ where: { address }, select: { userId: true } });
    return row?.userId;
  }

  /** Starts linking `address`: the one-time message its wallet must sign. */
  async requestLink(request: {
    actor: Actor;
    key: string;
    address: string;
    now: Date;
  }): Promise<LinkChallenge> {
    const { parseWalletAddress, walletLinkMessage } = await walletProof();
    const address = parseWalletAddress(request.address).toBase58();
    const { actor, now } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "wallet.link", key: request.key, input: { userId: actor.userId, address } },
        async () => {
          await this.refuseIfTaken(tx.db, address, actor.userId);
          // An open message is replaced: only the latest one can link.
          await tx.db.walletChallenge.deleteMany({ where: { userId: actor.userId, usedAt: null } });
          const nonce = randomBytes(16).toString("hex");
          const expiresAt = new Date(now.getTime() + this.options.challengeTtlSeconds * 1000);
          const message = walletLinkMessage({
            botName: this.options.botName,
            accountName: actor.displayName,
            userId: actor.userId,
            address,
            nonce,
            expiresAt,
          });
          await tx.db.walletChallenge.create({
            data: { nonce, userId: actor.userId, address, message, createdAt: now, expiresAt },
          });
          return { address, message, nonce, expiresAt };
        },
      ),
    );
    return result;
  }

  /**
   * Links the wallet whose signature of the member's message this is. Refuses a signature by
   * another key or of another text, a message already used or expired, and a wallet linked to
   * someone else.
   */
  async verifyLink(request: {
    actor: Actor;
    key: string;
    signature: string;
    now: Date;
  }): Promise<{ address: string; replaced?: string }> {
    const { decodeSignature, parseWalletAddress, verifyWalletSignature } = await walletProof();
    const signature = decodeSignature(request.signature);
    const { actor, now } = request;
    const challenges = await this.db.prisma.walletChallenge.findMany({
      where: { userId: actor.userId },
      orderBy: { createdAt: "desc" },
      take: RECENT_CHALLENGES,
    });
    if (challenges.length === 0) {
      throw new UserError(
        "no_link_request",
        "There is no message to verify. Run /wallet link address:<your wallet> first, sign the message it shows, then paste the signature here.",
      );
    }
    const signed = challenges.find((c) =>
      verifyWalletSignature(parseWalletAddress(c.address), c.message, signature),
    );
    if (!signed) {
      const open = challenges.find((c) => !c.usedAt);
      throw new UserError(
        "invalid_signature",
        open
          ? `That signature does not match: sign the exact message /wallet link showed, unchanged, with the wallet ${open.address}, and paste its signature.`
          : "That signature does not match any message the bot gave you. Run /wallet link again and sign the new message.",
      );
    }
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "wallet.verify", key: request.key, input: { userId: actor.userId, nonce: signed.nonce } },
        async () => {
          // Checked inside the action: a replay finds the message used (by its first run) and must
          // still return that run's result.
          if (signed.expiresAt.getTime() <= now.getTime()) {
            throw new UserError(
              "link_message_expired",
              "That message has expired. Run /wallet link for a new one and sign it before it expires.",
            );
          }
          const claimed = await tx.db.walletChallenge.updateMany({
            where: { nonce: signed.nonce, usedAt: null },
            data: { usedAt: now },
          });
          if (claimed.count === 0) {
            throw new UserError(
              "link_message_used",
              "That signed message was already used: each one links once. Run /wallet link for a new message.",
            );
          }
          await this.refuseIfTaken(tx.db, signed.address, actor.userId);
          const previous = await this.walletOf(tx.db, actor.userId);
          if (previous) await tx.db.wallet.delete({ where: { userId: actor.userId } });
          // Two members verifying the same wallet at once: the second waits for the first's row
          // and inserts nothing.
          const inserted = await tx.db.wallet.createMany({
            data: { address: signed.address, userId: actor.userId, linkedAt: now },
            skipDuplicates: true,
          });
          if (inserted.count === 0) {
            await this.refuseIfTaken(tx.db, signed.address, actor.userId);
            throw new UserError(
              "link_conflict",
              "Another link of your account happened at the same time. Run /wallet verify again.",
            );
          }
          return {
            address: signed.address,
            ...(previous && previous.address !== signed.address ? { replaced: previous.address } : {}),
          };
        },
      ),
    );
    return result;
  }

  /** Unlinks the member's wallet; pending withdrawals still go where they were asked to. */
  async unlink(request: { actor: Actor; key: string }): Promise<{ address: string }> {
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "wallet.unlink", key: request.key, input: { userId: request.actor.userId } },
        async () => {
          const wallet = await this.walletOf(tx.db, request.actor.userId);
          if (!wallet) throw new UserError("no_wallet", "You have no wallet linked.");
          await tx.db.wallet.delete({ where: { userId: request.actor.userId } });
          return { address: wallet.address };
        },
      ),
    );
    return result;
  }

  /** When two members become one (/link): the survivor keeps their wallet, else takes the other's. */
  async merge(tx: Tx, from: number, into: number): Promise<void> {
    const kept = await this.walletOf(tx.db, into);
    if (kept) await tx.db.wallet.deleteMany({ where: { userId: from } });
    else await tx.db.wallet.updateMany({ where: { userId: from }, data: { userId: into } });
    await tx.db.walletChallenge.deleteMany({ where: { userId: from } });
  }

  private async refuseIfTaken(db: TxClient, address: string, userId: number): Promise<void> {
    const owner = await this.ownerOf(db, address);
    if (owner === userId) {
      throw new UserError(
        "wallet_already_linked",
        `The wallet ${address} is already linked to your account.`,
      );
    }
    if (owner !== undefined) {
      throw new UserError(
        "wallet_taken",
        `The wallet ${address} is linked to another account. A wallet links to one account: unlink it there first (/wallet unlink).`,
      );
    }
  }
}
