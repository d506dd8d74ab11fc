// A member's own money: balances, history, and the moderators' credits and debits, which move
// money between the outside world and a member when no chain is connected (docs/economy.md section 9).
import type { Actor } from "#src/core/context.ts";
import { forbidden, UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import { literal } from "#src/core/markup.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney } from "#src/ledger/amount.ts";
import { accountHistory, type HistoryPage } from "#src/ledger/history.ts";
import type { AccountBalance, Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";

export interface AdminMovement {
  actor: Actor;
  /** The event's idempotency key. */
  key: string;
  userId: number;
  token: string;
  amountAtoms: bigint;
  reason: string;
}

export interface AdminMovementResult {
  transferId: bigint;
  /** The member's balance of that token afterwards. */
  balanceAtoms: bigint;
}

export const MAX_REASON_LENGTH = 200;

export class Funds {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    /** Tells the member of a moderator's credit or debit (tests may leave it out). */
    private readonly notifier?: Pick<Notifier, "notifyUser">,
    private readonly tokens?: TokenRegistry,
  ) {}

  /** Every balance a member holds, by token and purpose (main, stake, ...). */
  balances(db: TxClient, userId: number): Promise<AccountBalance[]> {
    return this.ledger.balancesOf(db, "user", String(userId));
  }

  /** The member's main-account history, newest first. */
  async history(
    db: TxClient,
    userId: number,
    options: { limit: number; offset: number; token?: string },
  ): Promise<HistoryPage & { total: number }> {
    const owned = await this.balances(db, userId);
    const ids = owned.map((a) => a.accountId);
    const page = await accountHistory(db, ids, options);
    const total =
      ids.length === 0
        ? 0
        : await db.entry.count({
            where: {
              accountId: { in: ids },
              ...(options.token ? { transfer: { token: options.token } } : {}),
            },
          });
    return { ...page, total };
  }

  /** A moderator adds money to a member's balance from outside (a grant, an off-chain deposit). */
  credit(request: AdminMovement): Promise<AdminMovementResult> {
    return this.move(request, "credit");
  }

  /** A moderator removes money from a member's balance to outside (an off-chain withdrawal, a correction). */
  debit(request: AdminMovement): Promise<AdminMovementResult> {
    return this.move(request, "debit");
  }

  private async move(request: AdminMovement, direction: "credit" | "debit"): Promise<AdminMovementResult> {
    // Declared on the command and checked again here: a service never trusts its caller's checks.
    if (!request.actor.isModerator) throw forbidden(`Only moderators can ${direction} balances.`);
    const reason = request.reason.trim();
    if (!reason)
      throw new UserError("missing_option", "Give a reason: it is kept with the transfer for the audit.");
    if (reason.length > MAX_REASON_LENGTH)
      throw new UserError("invalid_option", `The reason is limited to ${MAX_REASON_LENGTH} characters.`);
    if (request.amountAtoms <= 0n)
      throw new UserError("invalid_amount", "The amount must be more than zero.");
    const member = accounts.user(request.userId, request.token);
    const world = accounts.world(request.token);
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        {
          scope: `admin.${direction}`,
          key: request.key,
          input: { userId: request.userId, token: request.token, amount: request.amountAtoms, reason },
        },
        async () => {
          const transfer = await this.ledger.transfer(tx, {
            key: subKey(`admin.${direction}`, request.key),
            debit: direction === "credit" ? world : member,
            credit: direction === "credit" ? member : world,
            token: request.token,
            amountAtoms: request.amountAtoms,
            code: `admin.${direction}`,
            memo: reason,
            meta: { moderatorUserId: request.actor.userId },
          });
          const balance = await this.ledger.balance(tx.db, member);
          // The member is told, once (a replay does not run this work again), after the commit.
          if (request.actor.userId !== request.userId)
            tx.afterCommit(() => this.tell(request, direction, reason, balance.balanceAtoms));
          return { transferId: transfer.id, balanceAtoms: balance.balanceAtoms };
        },
      ),
    );
    return result;
  }

  private async tell(
    request: AdminMovement,
    direction: "credit" | "debit",
    reason: string,
    balanceAtoms: bigint,
  ): Promise<void> {
    if (!this.notifier || !this.tokens) return;
    const token = this.tokens.get(request.token);
    const money = formatMoney(request.amountAtoms, token);
    await this.notifier.notifyUser(request.userId, {
      title: direction === "credit" ? "Balance credited" : "Balance debited",
      text:
        `A moderator ${direction === "credit" ? "added" : "took"} ${money} ${direction === "credit" ? "to" : "from"} your balance ` +
        `(reason: ${literal(reason)}). Your ${token.symbol} balance is now ${formatMoney(balanceAtoms, token)}.`,
      tone: direction === "credit" ? "success" : "info",
    });
  }
}
