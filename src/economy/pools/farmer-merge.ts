// /link: a farmer's per-user rows (fee tallies, profile) when two members become one. Both tables
// are keyed by the user, so the merged-away rows are added into the survivor's, never just renamed.
import type { Tx } from "#src/db/database.ts";

export async function mergeFarmerRecords(tx: Tx, from: number, into: number): Promise<void> {
  // The fee is charged on the cumulative gross minus the fees already charged (docs/economy.md section
  // 3). Summed, both stay exact: the fractions the two tallies rounded away separately (under one
  // atom) are charged once, by the next settlement, and nothing is charged twice.
  await tx.db.$executeRaw`
    INSERT INTO farmer_fee_tallies (farmer_user_id, token, fee_percent, gross_atoms, fee_atoms)
    SELECT ${into}, token, fee_percent, gross_atoms, fee_atoms FROM farmer_fee_tallies
    WHERE farmer_user_id = ${from}
    ON CONFLICT (farmer_user_id, token, fee_percent) DO UPDATE SET
      gross_atoms = farmer_fee_tallies.gross_atoms + EXCLUDED.gross_atoms,
      fee_atoms = farmer_fee_tallies.fee_atoms + EXCLUDED.fee_atoms`;
  await tx.db.$executeRaw`DELETE FROM farmer_fee_tallies WHERE farmer_user_id = ${from}`;
  // XP adds up; the boost that runs longer wins with its multiplier; the reputation is recomputed
  // from the (now joined) submissions by the decay job, the higher one stands until then.
  await tx.db.$executeRaw`
    INSERT INTO farmer_profiles
      (user_id, xp, reputation, boost_multiplier, boost_until, last_activity_at)
    SELECT ${into}, xp, reputation, boost_multiplier, boost_until, last_activity_at
    FROM farmer_profiles WHERE user_id = ${from}
    ON CONFLICT (user_id) DO UPDATE SET
      xp = farmer_profiles.xp + EXCLUDED.xp,
      reputation = GREATEST(farmer_profiles.reputation, EXCLUDED.reputation),
      boost_multiplier = CASE
        WHEN EXCLUDED.boost_until > COALESCE(farmer_profiles.boost_until, '-infinity')
        THEN EXCLUDED.boost_multiplier ELSE farmer_profiles.boost_multiplier END,
      boost_until = GREATEST(farmer_profiles.boost_until, EXCLUDED.boost_until),
      last_activity_at = GREATEST(farmer_profiles.last_activity_at, EXCLUDED.last_activity_at)`;
  await tx.db.$executeRaw`DELETE FROM farmer_profiles WHERE user_id = ${from}`;
}
