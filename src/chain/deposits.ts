// Deposits: a member sends tokens to the treasury on Solana, then gives the bot the transaction's
// signature. The bot reads the finalized transaction, checks it paid the treasury, and credits the
// member it belongs to (named by the memo's reference, else by the linked wallet that paid), once
// per signature: a unique signature row and a ledger transfer keyed by the signature.
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";
import { DEPOSIT_CODE } from "./deposit-code.ts";
import { inspectDeposit } from "./deposit-inspection.ts";
import { findDepositReference } from "./deposit-reference.ts";
import type { SolanaReader } from "./rpc.ts";
import type { Treasury } from "./treasury.ts";
import { decodeSignature } from "./wallet-proof.ts";
import type { Wallets } from "./wallets.ts";

export { DEPOSIT_CODE };

export interface DepositRequest {
  actor: Actor;
  key: string;
  signature: string;
  /** The token the member says they sent; any accepted token when absent. */
  token?: TokenInfo;
  now: Date;
}

export interface DepositResult {
  signature: string;
  userId: number;
  token: string;
  amountAtoms: bigint;
  matchedBy: "memo" | "wallet";
  slot: bigint;
  transferId: bigint;
  /** The credited member's balance of the token afterwards. */
  balanceAtoms: bigint;
}

export interface DepositsDeps {
  db: Database;
  ledger: Ledger;
  tokens: TokenRegistry;
  wallets: Wallets;
  notifier: Notifier;
  log: Logger;
  treasury: Treasury;
  reader: SolanaReader;
}

export class Deposits {
  constructor(private readonly deps: DepositsDeps) {}

  async verify(request: DepositRequest): Promise<DepositResult> {
    const { db, ledger, log } = this.deps;
    decodeSignature(request.signature);
    const signature = request.signature.trim();
    const once = { scope: "chain.deposit", key: request.key, input: { signature } };
    const known = await db.prisma.deposit.findUnique({ where: { signature } });
    if (known) {
      // Credited already: a redelivered event gets its first answer, anyone else a refusal.
      const replay = await db.transaction((t) =>
        runOnce<DepositResult>(t, once, () =>
          Promise.reject(alreadyCredited(known.userId === request.actor.userId)),
        ),
      );
      return replay.result;
    }

    let tx: Awaited<ReturnType<SolanaReader["getParsedTransaction"]>>;
    try {
      tx = await this.deps.reader.getParsedTransaction(signature);
    } catch (error) {
      log.warn({ err: error, signature }, "the Solana node did not answer a deposit lookup");
      throw new UserError(
        "chain_unavailable",
        "The Solana node did not answer. Nothing was credited; try again in a minute.",
      );
    }
    const finding = inspectDeposit(signature, tx, {
      treasury: this.deps.treasury.address,
      tokens: this.deps.tokens.all(),
      ...(request.token ? { token: request.token } : {}),
    });

    const { result } = await db.transaction((t) =>
      runOnce(t, once, async () => {
        const owner = await this.beneficiary(t.db, finding.memos, finding.senders);
        // The signature row is the once-only guard: a concurrent verification of the same signature
        // waits here for the first to commit, then inserts nothing. (transfer_id is filled in below,
        // in this same transaction, once the ledger transfer exists.)
        const inserted = await t.db.$queryRaw<Array<{ id: number }>>`
          INSERT INTO deposits (signature, user_id, token, amount, sender, matched_by, slot, block_time,
                                verified_by_user_id, transfer_id, created_at)
          VALUES (${signature}, ${owner.userId}, ${finding.token.symbol}, ${finding.amountAtoms.toString()}::numeric,
                  ${finding.senders[0] ?? null}, ${owner.matchedBy}, ${finding.slot}, ${finding.blockTime},
                  ${request.actor.userId}, 0, ${request.now})
          ON CONFLICT (signature) DO NOTHING
          RETURNING id`;
        const depositId = inserted[0]?.id;
        if (depositId === undefined) {
          const first = await t.db.deposit.findUnique({ where: { signature } });
          throw alreadyCredited(first?.userId === request.actor.userId);
        }
        const member = accounts.user(owner.userId, finding.token.symbol);
        const transfer = await ledger.transfer(t, {
          key: subKey("deposit", signature),
          debit: accounts.world(finding.token.symbol),
          credit: member,
          token: finding.token.symbol,
          amountAtoms: finding.amountAtoms,
          code: DEPOSIT_CODE,
          memo: `Solana transaction ${signature}`,
          meta: { signature, slot: finding.slot.toString(), matchedBy: owner.matchedBy },
        });
        await t.db.deposit.update({ where: { id: depositId }, data: { transferId: transfer.id } });
        const balance = await ledger.balance(t.db, member);
        if (owner.userId !== request.actor.userId) {
          t.afterCommit(async () => {
            await this.deps.notifier.notifyUser(owner.userId, {
              title: "Deposit credited",
              text: `Your deposit of ${formatMoney(finding.amountAtoms, finding.token)} (Solana transaction ${signature}) was credited. Balance: ${formatMoney(balance.balanceAtoms, finding.token)}.`,
              tone: "success",
            });
          });
        }
        return {
          signature,
          userId: owner.userId,
          token: finding.token.symbol,
          amountAtoms: finding.amountAtoms,
          matchedBy: owner.matchedBy,
          slot: finding.slot,
          transferId: transfer.id,
          balanceAtoms: balance.balanceAtoms,
        };
      }),
    );
    return result;
  }

  /** Whose deposit it is: the member the memo's reference names, else the one whose wallet paid. */
  private async beneficiary(
    db: TxClient,
    memos: string[],
    senders: string[],
  ): Promise<{ userId: number; matchedBy: "memo" | "wallet" }> {
    const referenced = findDepositReference(memos);
    if (referenced !== undefined) {
      const userId = await currentUserId(db, referenced);
      if (userId === undefined) {
        throw new UserError(
          "unknown_reference",
          "The memo's deposit reference names no member. Ask a moderator to credit this deposit.",
        );
      }
      return { userId, matchedBy: "memo" };
    }
    const owners = new Set<number>();
    for (const sender of senders) {
      const owner = await this.deps.wallets.ownerOf(db, sender);
      if (owner !== undefined) owners.add(owner);
    }
    if (owners.size === 1) return { userId: [...owners][0]!, matchedBy: "wallet" };
    if (owners.size > 1) {
      throw new UserError(
        "ambiguous_deposit",
        "That transaction was paid from wallets of several members. Ask a moderator to credit it.",
      );
    }
    throw new UserError(
      "unlinked_wallet",
      `That deposit came from ${senders.length > 0 ? `the wallet ${senders.join(", ")}, which is linked to no account` : "no wallet the bot can tell"}, and its memo carries no deposit reference. Link that wallet with /wallet link, then run /deposit verify again.`,
    );
  }
}

function alreadyCredited(toYou: boolean): UserError {
  return new UserError(
    "already_credited",
    toYou
      ? "That deposit was already credited to you. Each transaction is credited once."
      : "That deposit was already credited to the member it belongs to. Each transaction is credited once.",
  );
}

/** A member id, following /link merges to the member who remains. */
async function currentUserId(db: TxClient, userId: number): Promise<number | undefined> {
  let id: number | null = userId;
  for (let hops = 0; id !== null && hops < 16; hops++) {
    const user: { id: number; mergedIntoId: number | null } | null = await db.user.findUnique({
      where: { id },
      select: { id: true, mergedIntoId: true },
    });
    if (!user) return undefined;
    if (user.mergedIntoId === null) return user.id;
    id = user.mergedIntoId;
  }
  return undefined;
}
