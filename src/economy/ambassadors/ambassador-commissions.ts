// The ambassadors' share of platform fees (docs/economy.md section 6), behind the CommissionPolicy seam
// that settlement calls inside its own transaction:
// - a reward (clones policy): the farmer's ambassador gets tier% x gross, the creator's ambassador
//   tier% x gross, each rounded down; the farmer's ambassador is served first and the creator's gets
//   at most what is left, so the sum never exceeds the fee (the protocol keeps fee - sum);
// - a reward under the forge policy carries no fee, so nobody earns on it;
// - a forge deposit: the creator's ambassador gets tier% x deposit, at most the deposit fee.
// The tier is read with the ambassadors' stake accounts locked FOR SHARE (Staking.lockStakes), so it
// is the tier in force when the settlement commits. Tier 0 (no stake) earns nothing; the referral
// stays recorded and pays once the ambassador stakes.
import type { Tx } from "#src/db/database.ts";
import type {
  Commission,
  CommissionPolicy,
  DepositFee,
  RewardFee,
} from "#src/economy/ambassadors/commissions.ts";
import type { Referrals } from "#src/economy/ambassadors/referrals.ts";
import type { Staking } from "#src/economy/ambassadors/staking.ts";
import { commissionAtoms } from "#src/economy/ambassadors/tiers.ts";

export class AmbassadorCommissions implements CommissionPolicy {
  constructor(
    private readonly referrals: Referrals,
    private readonly staking: Staking,
  ) {}

  async onReward(tx: Tx, fee: RewardFee): Promise<Commission[]> {
    if (fee.feeAtoms <= 0n || fee.grossAtoms <= 0n) return [];
    const farmerAmbassador = (await this.referrals.referrerOf(tx.db, fee.farmerUserId))?.referrerUserId;
    const creatorAmbassador = (await this.referrals.referrerOf(tx.db, fee.creatorUserId))?.referrerUserId;
    const ambassadors = [farmerAmbassador, creatorAmbassador].filter((id): id is number => id !== undefined);
    if (ambassadors.length === 0) return [];
    const stakes = await this.staking.lockStakes(tx, ambassadors, "share");
    const commissions: Commission[] = [];
    let left = fee.feeAtoms;
    const pay = (userId: number | undefined, role: Commission["role"], base: bigint) => {
      if (userId === undefined) return;
      const tier = stakes.get(userId)?.tier ?? 0;
      const due = commissionAtoms(base, tier);
      const amountAtoms = due < left ? due : left;
      if (amountAtoms <= 0n) return;
      left -= amountAtoms;
      commissions.push({ userId, role, tier, amountAtoms });
    };
    pay(farmerAmbassador, "farmer_ambassador", fee.grossAtoms);
    pay(creatorAmbassador, "creator_ambassador", fee.grossAtoms);
    return commissions;
  }

  async onDeposit(tx: Tx, fee: DepositFee): Promise<Commission[]> {
    if (fee.feeAtoms <= 0n || fee.depositAtoms <= 0n) return [];
    const ambassador = (await this.referrals.referrerOf(tx.db, fee.creatorUserId))?.referrerUserId;
    if (ambassador === undefined) return [];
    const tier = (await this.staking.lockStakes(tx, [ambassador], "share")).get(ambassador)?.tier ?? 0;
    const due = commissionAtoms(fee.depositAtoms, tier);
    const amountAtoms = due < fee.feeAtoms ? due : fee.feeAtoms;
    return amountAtoms > 0n ? [{ userId: ambassador, role: "creator_ambassador", tier, amountAtoms }] : [];
  }
}
