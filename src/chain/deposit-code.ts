// The ledger code of a deposit's transfer, in a file of its own so that /deposit's command module
// reads it without loading the deposit checks (and @solana/spl-token with them) at start-up.
export const DEPOSIT_CODE = "chain.deposit";
