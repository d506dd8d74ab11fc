// /link: a member's burns and bundle votes when two members become one. Both tables allow one row
// per member and token (or proposal), so the merged-away rows move only where the survivor has none.
import type { Tx } from "#src/db/database.ts";

export async function mergeDatasetTokenRecords(tx: Tx, from: number, into: number): Promise<void> {
  await tx.db.$executeRaw`
    UPDATE dataset_burns SET user_id = ${into} WHERE user_id = ${from}
      AND token_id NOT IN (SELECT token_id FROM dataset_burns WHERE user_id = ${into})`;
  await tx.db.$executeRaw`DELETE FROM dataset_burns WHERE user_id = ${from}`;
  await tx.db.$executeRaw`
    UPDATE dataset_bundle_votes SET user_id = ${into} WHERE user_id = ${from}
      AND bundle_id NOT IN (SELECT bundle_id FROM dataset_bundle_votes WHERE user_id = ${into})`;
  await tx.db.$executeRaw`DELETE FROM dataset_bundle_votes WHERE user_id = ${from}`;
}
