// Burn-to-download (docs/economy.md sections 10.4 and 10.6): whether a member has burned the
// threshold of a dataset's token, or of a bundle's token whose bundle contains the dataset. The
// download command asks this beside its own rule (the creator and moderators always may).
import type { Tx, TxClient } from "#src/db/database.ts";

/** True when `userId` burned for factory `factoryId`'s dataset, directly or through a bundle. */
export async function hasBurnAccess(tx: Tx | TxClient, userId: number, factoryId: number): Promise<boolean> {
  const db = "db" in tx && "now" in tx ? tx.db : (tx as TxClient);
  const rows = await db.$queryRaw<Array<{ one: number }>>`
    SELECT 1 AS one FROM dataset_burns b JOIN dataset_tokens t ON t.id = b.token_id
    WHERE b.user_id = ${userId}
      AND (t.factory_id = ${factoryId}
           OR t.bundle_id IN (SELECT bundle_id FROM dataset_bundle_members WHERE factory_id = ${factoryId}))
    LIMIT 1`;
  return rows.length > 0;
}
