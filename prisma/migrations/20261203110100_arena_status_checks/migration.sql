-- Typed states: each arena column that names a state takes only the values of its union in
-- src/arena/types.ts (a typo in code fails there at compile time, in raw SQL here at run time).
ALTER TABLE "arena_participants" ADD CONSTRAINT "arena_participants_role_check" CHECK ("role" IN ('node', 'validator'));
ALTER TABLE "arena_stakes" ADD CONSTRAINT "arena_stakes_kind_check" CHECK ("kind" IN ('own', 'delegation'));
ALTER TABLE "arena_epochs" ADD CONSTRAINT "arena_epochs_status_check" CHECK ("status" IN ('snapshot', 'computed', 'paid'));
ALTER TABLE "arena_rewards" ADD CONSTRAINT "arena_rewards_role_check" CHECK ("role" IN ('node', 'validator', 'delegator'));
