-- Written by hand: Prisma's schema language has no CHECK constraints. They are the database's own
-- guard behind the ledger's checks in code (src/ledger), so a bug cannot overdraw an account.

-- User, pool and stake balances never go negative, counting what pending transfers hold.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_non_negative"
  CHECK ("allow_negative" OR ("balance" >= 0 AND "balance" - "pending_debits" >= 0));
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_pending_non_negative" CHECK ("pending_debits" >= 0);

-- Every transfer moves a positive amount between two different accounts.
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_positive_amount" CHECK ("amount" > 0);
ALTER TABLE "transfers" ADD CONSTRAINT "transfers_distinct_accounts" CHECK ("debit_account_id" <> "credit_account_id");

ALTER TABLE "tokens" ADD CONSTRAINT "tokens_decimals_range" CHECK ("decimals" BETWEEN 0 AND 30);
