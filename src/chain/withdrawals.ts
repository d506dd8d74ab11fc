// Withdrawal requests: the member's money leaves their balance at once, into the withdrawals
// holding account, and waits there until the batch that pays it is finalized on chain (then it
// goes to the outside world) or fails (then it comes back). The sender (withdrawal-sender.ts)
// does the chain part.
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import type { TokenInfo } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import { hasOnChainAsset } from "./assets.ts";
import type { Wallets } from "./wallets.ts";

export const WITHDRAWAL_CODES = {
  requested: "chain.withdrawal",
  sent: "chain.withdrawal.sent",
  refunded: "chain.withdrawal.refund",
} as const;

/** Where requested withdrawals wait until they are sent or returned. */
export const withdrawalsHolding = (token: string) => accounts.system("withdrawals", token);

/** SPL amounts are u64 on chain. */
const MAX_ON_CHAIN_ATOMS = 2n ** 64n - 1n;

/** withdrawals.status: waiting for a batch, in an open batch, paid, or refunded (a CHECK holds the column). */
export type WithdrawalStatus = "pending" | "sending" | "sent" | "failed";

/**
 * withdrawal_batches.status: open (signed, maybe sent), confirmed (finalized), failed (landed with an
 * error), expired (never landed); a CHECK in the database holds the column to these.
 */
export type WithdrawalBatchStatus = "open" | "confirmed" | "failed" | "expired";

export interface WithdrawalView {
  id: number;
  token: string;
  amountAtoms: bigint;
  destination: string;
  status: WithdrawalStatus;
  /** The transaction that paid (or last tried to pay) it. */
  signature: string | null;
  failureReason: string | null;
  createdAt: Date;
  settledAt: Date | null;
}

export interface WithdrawalRequest {
  actor: Actor;
  key: string;
  token: TokenInfo;
  amountAtoms: bigint;
  now: Date;
}

export class Withdrawals {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly wallets: Wallets,
    /** Throws when withdrawals cannot be sent (off chain, or a watch-only treasury). */
    private readonly ensureEnabled: () => void,
  ) {}

  /** Checks a request as `request` would and says where it would go; changes nothing. */
  async preview(
    db: TxClient,
    request: Omit<WithdrawalRequest, "key" | "now">,
  ): Promise<{ destination: string; availableAtoms: bigint }> {
    const destination = await this.check(db, request);
    const balance = await this.ledger.balance(db, accounts.user(request.actor.userId, request.token.symbol));
    return { destination, availableAtoms: balance.availableAtoms };
  }

  async request(request: WithdrawalRequest): Promise<{ withdrawal: WithdrawalView; balanceAtoms: bigint }> {
    const { actor, token, amountAtoms } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: "chain.withdraw",
          key: request.key,
          input: { userId: actor.userId, token: token.symbol, amount: amountAtoms },
        },
        async () => {
          const destination = await this.check(tx.db, request);
          const member = accounts.user(actor.userId, token.symbol);
          await this.ledger.transfer(tx, {
            key: subKey("withdraw", request.key),
            debit: member,
            credit: withdrawalsHolding(token.symbol),
            token: token.symbol,
            amountAtoms,
            code: WITHDRAWAL_CODES.requested,
            memo: `withdrawal to ${destination}`,
          });
          const row = await tx.db.withdrawal.create({
            data: {
              userId: actor.userId,
              token: token.symbol,
              amount: amountAtoms.toString(),
              destination,
              status: "pending" satisfies WithdrawalStatus,
              createdAt: request.now,
            },
          });
          const balance = await this.ledger.balance(tx.db, member);
          return { withdrawal: toView({ ...row, batch: null }), balanceAtoms: balance.balanceAtoms };
        },
      ),
    );
    return result;
  }

  /** A member's withdrawals, newest first. */
  async list(
    db: TxClient,
    userId: number,
    page: { limit: number; offset: number },
  ): Promise<{ items: WithdrawalView[]; total: number }> {
    const [rows, total] = await Promise.all([
      db.withdrawal.findMany({
        where: { userId },
        orderBy: { id: "desc" },
        skip: page.offset,
        take: page.limit,
        include: { batch: { select: { signature: true } } },
      }),
      db.withdrawal.count({ where: { userId } }),
    ]);
    return { items: rows.map(toView), total };
  }

  private async check(db: TxClient, request: Omit<WithdrawalRequest, "key" | "now">): Promise<string> {
    this.ensureEnabled();
    const { token, amountAtoms } = request;
    if (amountAtoms <= 0n) throw new UserError("invalid_amount", "The amount must be more than zero.");
    if (!hasOnChainAsset(token)) {
      throw new UserError(
        "token_not_on_chain",
        `${token.symbol} has no Solana mint here, so it cannot be withdrawn on chain. A moderator can pay it out (/admin debit).`,
      );
    }
    if (amountAtoms > MAX_ON_CHAIN_ATOMS) {
      throw new UserError("invalid_amount", "That amount is too large for one Solana transfer.");
    }
    const wallet = await this.wallets.walletOf(db, request.actor.userId);
    if (!wallet) {
      throw new UserError(
        "no_wallet",
        "Link your Solana wallet first: /wallet link address:<your wallet>. Withdrawals go to the linked wallet.",
      );
    }
    return wallet.address;
  }
}

function toView(row: {
  id: number;
  token: string;
  amount: { toFixed(): string };
  destination: string;
  status: string;
  failureReason: string | null;
  createdAt: Date;
  settledAt: Date | null;
  batch: { signature: string } | null;
}): WithdrawalView {
  return {
    id: row.id,
    token: row.token,
    amountAtoms: BigInt(row.amount.toFixed()),
    destination: row.destination,
    status: row.status as WithdrawalStatus,
    signature: row.batch?.signature ?? null,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
    settledAt: row.settledAt,
  };
}
