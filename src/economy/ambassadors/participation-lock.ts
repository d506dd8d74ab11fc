// A referral must be claimed before the member's first pool funding or submission (docs/economy.md
// section 6). Checking "has this member participated?" is not enough when the claim and the first
// funding run at the same time: each would commit without seeing the other, leaving a referral
// recorded after the fact and a deposit that paid no commission for it. So both take a lock per
// member: fundings and submissions share it (they never wait for each other), a claim takes it alone
// and so waits for them to commit, or makes them wait until the referral is recorded. Either way the
// outcome is one of the two orders, never a mix.
import type { Tx } from "#src/db/database.ts";

/** The advisory lock space of participation locks (the other key is the member's id). */
const PARTICIPATION_LOCK_SPACE = 5_060_502;

/** Taken by a member's funding or submission, before it reads who referred them. */
export async function lockAsParticipant(tx: Tx, userId: number): Promise<void> {
  await tx.db
    .$executeRaw`SELECT pg_advisory_xact_lock_shared(${PARTICIPATION_LOCK_SPACE}::int, ${userId}::int)`;
}

/** Taken by the member's referral claim, before it checks whether they have participated. */
export async function lockAsClaimant(tx: Tx, userId: number): Promise<void> {
  await tx.db.$executeRaw`SELECT pg_advisory_xact_lock(${PARTICIPATION_LOCK_SPACE}::int, ${userId}::int)`;
}
