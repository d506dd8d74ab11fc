// Every column that names a user, and what /link does with it: the one list a merge works from.
// test/identity/user-columns.test.ts reads the schema from Prisma's data model and fails when a
// column naming a user is missing here, so a column added later cannot be forgotten by the merge.
import type { Prisma } from "#src/db/generated/client.ts";

/** A feature's merge step, registered with Identity.onMerge under this name. */
export type MergeHookName = "referrals" | "arena" | "wallets" | "farmers" | "datasetTokens";

/** What the merge of `from` into `into` does with one user column. */
export type UserColumnFate =
  /** Identity points every row naming `from` at `into`: nothing unique stands in the way. */
  | { readonly move: "update" }
  /** A feature's hook moves it, combining rows a unique key would make collide. */
  | { readonly move: "hook"; readonly hook: MergeHookName; readonly how: string }
  /** Deliberately left naming `from`, for this reason. */
  | { readonly keep: string };

/** Model.field, with Prisma's names (not the tables' and columns'). */
export type UserColumn = `${Prisma.ModelName}.${string}`;

export const USER_COLUMNS: Readonly<Record<UserColumn, UserColumnFate>> = {
  // What the person uses and owns follows them.
  "PlatformAccount.userId": { move: "update" },
  // A code the merged-away member was shown is the same person's code.
  "LinkCode.userId": { move: "update" },
  // An open confirmation or list page stays the presser's, now under the survivor.
  "PendingAction.userId": { move: "update" },
  // Notices not yet seen are the survivor's to read in /scores.
  "MemberNotice.userId": { move: "update" },
  "Deposit.userId": { move: "update" },
  // Open withdrawals are the survivor's to follow (/withdraw status); the destination is unchanged.
  "Withdrawal.userId": { move: "update" },
  "Unstake.userId": { move: "update" },
  // A creator's own token stays theirs: the VIRAL stake behind it moves with them too.
  "Token.ownerUserId": { move: "update" },
  "ArenaTask.creatorId": { move: "update" },
  // The creator manages the factory, and closing it refunds the pool to them.
  "Factory.creatorUserId": { move: "update" },
  // A pending submission's grade pays the survivor; limits and reputation count all of it.
  "Submission.farmerUserId": { move: "update" },
  "LeaderboardSchedule.createdById": { move: "update" },
  // An appointed reviewer stays one (a duplicate row is harmless; the creator rule is checked on use).
  "Reviewer.userId": { move: "update" },
  // A trade's price and volume stay as they were; the trader's history follows them.
  "DatasetTrade.userId": { move: "update" },
  // Members merged earlier into the merged-away one point straight at the survivor (one hop).
  "User.mergedIntoId": { move: "update" },

  "Wallet.userId": {
    move: "hook",
    hook: "wallets",
    how: "one wallet per member: the survivor keeps theirs, else takes the other's",
  },
  "WalletChallenge.userId": {
    move: "hook",
    hook: "wallets",
    how: "the merged-away member's challenges are deleted with their wallet",
  },
  "Referral.referredUserId": {
    move: "hook",
    hook: "referrals",
    how: "one referrer per member, never a cycle: the survivor's referral if it makes none, else the other's, else none",
  },
  "Referral.referrerUserId": { move: "hook", hook: "referrals", how: "the referrals follow the referrer" },
  "ArenaParticipant.userId": {
    move: "hook",
    hook: "arena",
    how: "same task and role as the survivor: its stakes join the survivor's participant; the emptied one is deleted unless its submissions, scores or reward lines keep it as their record",
  },
  "ArenaStake.userId": { move: "hook", hook: "arena", how: "the stakes follow their money" },
  "FarmerFeeTally.farmerUserId": {
    move: "hook",
    hook: "farmers",
    how: "one tally per farmer, token and rate: the two are added up",
  },
  "FarmerProfile.userId": {
    move: "hook",
    hook: "farmers",
    how: "one profile per farmer: XP added up, the later boost, the latest activity",
  },

  "DatasetBurn.userId": {
    move: "hook",
    hook: "datasetTokens",
    how: "one burn per member and token: the merged-away member's access moves unless the survivor already has it (then the record is kept by the survivor's)",
  },
  "DatasetBundleVote.userId": {
    move: "hook",
    hook: "datasetTokens",
    how: "one vote per member and proposal: the survivor's stands, the other's moves only where the survivor had none",
  },

  // Records of an act, naming who did it at the time; that user row stays, pointing at the survivor.
  "BidChange.changedByUserId": { keep: "the bid history records who changed the bid at the time" },
  "Deposit.verifiedByUserId": { keep: "records who ran /deposit verify, not who was credited" },
  "Reviewer.appointedByUserId": { keep: "records which moderator appointed the reviewer" },
  "DatasetVersion.createdByUserId": { keep: "records who exported the version at the time" },
  "DatasetDownload.userId": { keep: "records who was handed the download at the time" },
  "Submission.reviewedByUserId": { keep: "records which moderator reviewed the submission at the time" },
  "ReferralInvite.ambassadorUserId": {
    keep: "an invite already shared keeps working: a join follows mergedIntoId to the survivor, who may have an invite of their own in that server",
  },
  "DatasetToken.launchedByUserId": {
    keep: "records who launched the token; fees follow the factory's creator",
  },
  "DatasetBundle.proposedByUserId": { keep: "records who proposed the bundle at the time" },
  "DatasetBundle.decidedByUserId": { keep: "records which moderator vetoed or created the bundle" },
  "ReferralCode.userId": {
    keep: "links already shared keep working: a claim follows mergedIntoId to the survivor (Referrals.ownerOfCode), who may have a code of their own",
  },
  "ArenaReward.userId": {
    keep: "paid lines are the record of who was paid; Arena.mergeUsers refuses a link while an epoch is unpaid, so no unpaid line is left behind",
  },
  "Account.ownerId": {
    keep: "ledger accounts never change owner: the merge moves their balances by transfers (Identity.mergeUsers), and the accounts with their entries stay the history the audit sums",
  },
};

/** The columns identity itself moves with one UPDATE each. */
export const MOVED_BY_UPDATE: readonly UserColumn[] = (
  Object.entries(USER_COLUMNS) as Array<[UserColumn, UserColumnFate]>
).flatMap(([column, fate]) => ("move" in fate && fate.move === "update" ? [column] : []));

/** The hooks the merge cannot do without: each moves some of the columns above. */
export const REQUIRED_HOOKS: ReadonlySet<MergeHookName> = new Set(
  Object.values(USER_COLUMNS).flatMap((f) => ("hook" in f ? [f.hook] : [])),
);
