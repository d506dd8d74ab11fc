// Burn-to-download (docs/economy.md sections 10.4 and 10.6): a member burns a dataset token's
// threshold (its creator allocation) for download access, once and for good. Like a trade, a burn
// runs once per key inside one transaction that first locks the token's row; the preview changes
// nothing and refuses early what cannot succeed, and the burn checks it all again under the lock.
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce, subKey } from "#src/core/idempotency.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import { DATASET_CODES, datasetAccounts, datasetTokenInfo } from "./accounts.ts";
import type { DatasetTokens } from "./dataset-tokens.ts";
import { type DatasetTokenRow, lockToken } from "./rows.ts";

export class DatasetBurns {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly tokens: DatasetTokens,
  ) {}

  /** Checks a burn of `token`'s threshold by `actor`; changes nothing. */
  async preview(db: TxClient, actor: Actor, token: DatasetTokenRow): Promise<{ amountAtoms: bigint }> {
    if (token.kind === "dataset") {
      const factory = await db.factory.findUniqueOrThrow({ where: { id: token.factoryId! } });
      if (factory.creatorUserId === actor.userId)
        throw new UserError(
          "burn_not_needed",
          `You created factory #${factory.id}: you download its dataset without burning. Your allocation is one access to keep, give away or sell.`,
        );
    }
    if (
      await db.datasetBurn.findUnique({
        where: { tokenId_userId: { tokenId: token.id, userId: actor.userId } },
      })
    )
      throw new UserError(
        "already_burned",
        `You already burned ${token.symbol}'s threshold; your download access is for good, nothing more to burn.`,
      );
    const amountAtoms = token.params.allocationAtoms;
    const { availableAtoms } = await this.ledger.balance(db, accounts.user(actor.userId, token.symbol));
    if (availableAtoms < amountAtoms) {
      const info = datasetTokenInfo(token.symbol);
      throw new UserError(
        "insufficient_funds",
        `Download access takes a burn of ${formatMoney(amountAtoms, info)}; you hold ${formatMoney(availableAtoms, info)}. Buy the difference (${formatMoney(amountAtoms - availableAtoms, info)}) with /dataset buy symbol:${token.symbol}, then burn.`,
        { neededAtoms: amountAtoms.toString(), availableAtoms: availableAtoms.toString() },
      );
    }
    return { amountAtoms };
  }

  /** Burns `symbol`'s threshold for download access, for good. */
  async burn(request: {
    actor: Actor;
    key: string;
    symbol: string;
  }): Promise<{ token: DatasetTokenRow; amountAtoms: bigint }> {
    const { actor, key } = request;
    const { result } = await this.db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "dataset.burn", key, input: { userId: actor.userId, symbol: request.symbol } },
        async () => {
          const found = await this.tokens.bySymbol(tx.db, request.symbol);
          const token = await lockToken(tx, found.id);
          const { amountAtoms } = await this.preview(tx.db, actor, token);
          await this.ledger.transfer(tx, {
            key: subKey(key, "burn"),
            debit: accounts.user(actor.userId, token.symbol),
            credit: datasetAccounts.burn(token.symbol),
            token: token.symbol,
            amountAtoms,
            code: DATASET_CODES.burn,
          });
          await tx.db.datasetBurn.create({
            data: {
              tokenId: token.id,
              userId: actor.userId,
              amountAtoms: amountAtoms.toString(),
              createdAt: tx.now,
            },
          });
          const burnedAtoms = token.burnedAtoms + amountAtoms;
          await tx.db.datasetToken.update({
            where: { id: token.id },
            data: { burnedAtoms: burnedAtoms.toString() },
          });
          return { token: { ...token, burnedAtoms }, amountAtoms };
        },
      ),
    );
    return result;
  }
}
