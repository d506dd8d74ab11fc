-- Marking an epoch's reward lines paid (100,000 of them) as HOT updates: no index holds `paid`
-- any more, and each page keeps room for the new version of its rows. The payment batches find
-- their lines by payee (arena_rewards_user_id_epoch_id_idx) and an epoch's lines by the unique
-- (epoch_id, participant_id, role, user_id) index.
DROP INDEX IF EXISTS "arena_rewards_epoch_id_paid_id_idx";
ALTER TABLE "arena_rewards" SET (fillfactor = 50);
