// One withdrawal batch as a Solana transaction: for each withdrawal, a transferChecked from the
// treasury's token account to the recipient's associated token account (created first, paid by
// the treasury, when it does not exist yet), or a plain lamport transfer for SOL. As many
// withdrawals as fit in one transaction packet.
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import { PACKET_DATA_SIZE, type PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import type { OnChainAsset } from "./on-chain-asset.ts";

export interface BatchItem {
  withdrawalId: number;
  /** The member's wallet (the owner of the token account that receives). */
  destination: PublicKey;
  amountAtoms: bigint;
}

export interface BatchInput {
  treasury: PublicKey;
  asset: OnChainAsset;
  decimals: number;
  /** The program that owns the mint (Token or Token-2022); unused for SOL. */
  tokenProgram?: PublicKey;
  blockhash: string;
  lastValidBlockHeight: bigint;
  items: readonly BatchItem[];
  /** Recipient token accounts known to exist: no create instruction for them. */
  existingTokenAccounts: ReadonlySet<string>;
}

/** The recipient's associated token account for an SPL asset. */
export function recipientTokenAccount(input: Pick<BatchInput, "asset" | "tokenProgram">, owner: PublicKey) {
  if (input.asset.kind !== "spl") throw new Error("SOL has no token account");
  return getAssociatedTokenAddressSync(input.asset.mint, owner, false, input.tokenProgram);
}

/** An unsigned transaction paying the longest prefix of `items` that fits, and that prefix. */
export function buildWithdrawalTransaction(input: BatchInput): {
  transaction: Transaction;
  included: BatchItem[];
} {
  let best: { transaction: Transaction; included: BatchItem[] } | undefined;
  for (let count = 1; count <= input.items.length; count++) {
    const included = input.items.slice(0, count);
    const transaction = transactionFor(input, included);
    if (!fits(transaction)) break;
    best = { transaction, included };
  }
  if (!best) throw new Error("a single withdrawal does not fit in a transaction");
  return best;
}

function transactionFor(input: BatchInput, items: readonly BatchItem[]): Transaction {
  const transaction = new Transaction({
    feePayer: input.treasury,
    blockhash: input.blockhash,
    lastValidBlockHeight: Number(input.lastValidBlockHeight),
  });
  const { asset } = input;
  if (asset.kind === "native") {
    for (const item of items) {
      transaction.add(
        SystemProgram.transfer({
          fromPubkey: input.treasury,
          toPubkey: item.destination,
          lamports: item.amountAtoms,
        }),
      );
    }
    return transaction;
  }
  const source = getAssociatedTokenAddressSync(asset.mint, input.treasury, false, input.tokenProgram);
  const created = new Set<string>();
  for (const item of items) {
    const account = recipientTokenAccount(input, item.destination);
    const key = account.toBase58();
    if (!input.existingTokenAccounts.has(key) && !created.has(key)) {
      created.add(key);
      transaction.add(
        createAssociatedTokenAccountIdempotentInstruction(
          input.treasury,
          account,
          item.destination,
          asset.mint,
          input.tokenProgram,
        ),
      );
    }
    transaction.add(
      createTransferCheckedInstruction(
        source,
        asset.mint,
        account,
        input.treasury,
        item.amountAtoms,
        input.decimals,
        [],
        input.tokenProgram,
      ),
    );
  }
  return transaction;
}

// One signature (the treasury's): its count (one byte) and 64 bytes, then the message.
function fits(transaction: Transaction): boolean {
  return 1 + 64 + transaction.serializeMessage().length <= PACKET_DATA_SIZE;
}
