// The withdrawal sender, run by the withdrawals job (and by tests directly). Each run:
//   1. settles the open batches: finalized -> the money goes to the outside world; landed with an
//      error -> it goes back to the members; not seen yet -> the SAME signed bytes are sent again,
//      until the blockhash has expired (the finalized block height is past its last valid height)
//      and the signature is then confirmed absent: only then is the batch dropped and its
//      withdrawals put back in line, to be signed anew;
//   2. groups pending withdrawals by token into transactions, signs each, STORES it with its last
//      valid block height, and only then sends it.
// A lost answer to a send therefore never pays twice: the stored transaction is the only one that
// can pay those withdrawals until it can provably no longer land.
// A run whose job timed out (its signal aborted) stops before the next batch, never between storing
// a batch and sending it; its RPC calls are given up too. Whatever it left is the next run's work.
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import type { PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { subKey } from "#src/core/idempotency.ts";
import type { Notifier } from "#src/core/notifier.ts";
import type { Database, Tx } from "#src/db/database.ts";
import type { Withdrawal, WithdrawalBatch } from "#src/db/generated/client.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { formatMoney } from "#src/ledger/amount.ts";
import type { Ledger } from "#src/ledger/ledger.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";
import { type OnChainAsset, onChainAsset } from "./on-chain-asset.ts";
import type { SolanaWriter } from "./rpc.ts";
import type { TreasurySigner } from "./treasury.ts";
import { parseWalletAddress } from "./wallet-proof.ts";
import {
  type BatchItem,
  buildWithdrawalTransaction,
  recipientTokenAccount,
} from "./withdrawal-transaction.ts";
import type { WithdrawalBatchStatus, WithdrawalStatus } from "./withdrawals.ts";
import { WITHDRAWAL_CODES, withdrawalsHolding } from "./withdrawals.ts";

export interface SenderDeps {
  db: Database;
  ledger: Ledger;
  tokens: TokenRegistry;
  notifier: Notifier;
  log: Logger;
  treasury: TreasurySigner;
  rpc: SolanaWriter;
  /** At most this many withdrawals per transaction. */
  batchSize: number;
  /** Expired batches a withdrawal may go through before it fails and is refunded. */
  maxAttempts: number;
}

export interface SenderReport {
  /** Batches finalized, and the withdrawals they paid. */
  confirmedBatches: number;
  sent: number;
  /** Batches that landed with an error, or withdrawals out of attempts: refunded withdrawals. */
  failedBatches: number;
  refunded: number;
  /** Batches whose blockhash expired unseen: their withdrawals wait for a new batch. */
  expiredBatches: number;
  requeued: number;
  /** Open batches sent again, byte for byte. */
  resent: number;
  /** New batches signed, stored and sent, and the withdrawals in them. */
  signedBatches: number;
  batched: number;
}

/** Pending withdrawals looked at per run; the rest wait for the next one. */
const MAX_PENDING_PER_RUN = 500;

export async function processWithdrawals(
  deps: SenderDeps,
  now: Date,
  signal?: AbortSignal,
): Promise<SenderReport> {
  const report: SenderReport = {
    confirmedBatches: 0,
    sent: 0,
    failedBatches: 0,
    refunded: 0,
    expiredBatches: 0,
    requeued: 0,
    resent: 0,
    signedBatches: 0,
    batched: 0,
  };
  const rpc = signal && deps.rpc.withSignal ? deps.rpc.withSignal(signal) : deps.rpc;
  const run = { ...deps, rpc };
  await settleOpenBatches(run, now, report, signal);
  await signNewBatches(run, now, report, signal);
  return report;
}

async function settleOpenBatches(
  deps: SenderDeps,
  now: Date,
  report: SenderReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const open = await deps.db.prisma.withdrawalBatch.findMany({
    where: { status: "open" satisfies WithdrawalBatchStatus },
    orderBy: { id: "asc" },
  });
  for (const batch of open) {
    signal?.throwIfAborted();
    try {
      await settleBatch(deps, batch, now, report);
    } catch (error) {
      signal?.throwIfAborted(); // the run was stopped, not the node in trouble
      // One batch's trouble (the node timing out) must not hold up the others; it is retried next run.
      deps.log.warn({ err: error, batchId: batch.id }, "could not settle a withdrawal batch this run");
    }
  }
}

async function settleBatch(deps: SenderDeps, batch: WithdrawalBatch, now: Date, report: SenderReport) {
  const { rpc } = deps;
  const status = await rpc.signatureStatus(batch.signature);
  if (status?.finalized) {
    if (status.err) await failBatch(deps, batch, status.err, now, report);
    else await confirmBatch(deps, batch, now, report);
    return;
  }
  if (status) return; // landed, not final yet: the next run settles it
  const finalizedHeight = await rpc.finalizedBlockHeight();
  if (finalizedHeight <= batch.lastValidBlockHeight) {
    await send(deps, batch.id, Buffer.from(batch.transaction, "base64"));
    report.resent += 1;
    return;
  }
  // Past its last valid height it can never land; look once more, now that this is established,
  // in case it landed before the height passed and the first look missed it.
  if (await rpc.signatureStatus(batch.signature)) return;
  await expireBatch(deps, batch, now, report);
}

async function confirmBatch(deps: SenderDeps, batch: WithdrawalBatch, now: Date, report: SenderReport) {
  const paid = await deps.db.transaction(async (tx) => {
    if (!(await claimBatch(tx, batch.id, "confirmed", now))) return [];
    const items = await tx.db.withdrawal.findMany({ where: sendingIn(batch.id) });
    await deps.ledger.execute(
      tx,
      items.map((w) => ({
        kind: "transfer" as const,
        key: subKey("withdrawal", w.id, "sent"),
        debit: withdrawalsHolding(w.token),
        credit: accounts.world(w.token),
        token: w.token,
        amountAtoms: atomsOf(w),
        code: WITHDRAWAL_CODES.sent,
        memo: `Solana transaction ${batch.signature}`,
        meta: { withdrawalId: w.id, signature: batch.signature },
      })),
    );
    await tx.db.withdrawal.updateMany({
      where: sendingIn(batch.id),
      data: { status: "sent" satisfies WithdrawalStatus, settledAt: now },
    });
    for (const w of items) {
      notifyAfterCommit(
        deps,
        tx,
        w,
        `Your withdrawal #${w.id} of ${money(deps, w)} to ${w.destination} was sent: Solana transaction ${batch.signature}.`,
      );
    }
    return items;
  });
  if (paid.length > 0) {
    report.confirmedBatches += 1;
    report.sent += paid.length;
  }
}

async function failBatch(
  deps: SenderDeps,
  batch: WithdrawalBatch,
  err: unknown,
  now: Date,
  report: SenderReport,
) {
  const refunded = await deps.db.transaction(async (tx) => {
    if (!(await claimBatch(tx, batch.id, "failed", now, JSON.stringify(err)))) return [];
    const items = await tx.db.withdrawal.findMany({ where: sendingIn(batch.id) });
    await refund(deps, tx, items, "the Solana transaction failed on chain", now);
    return items;
  });
  if (refunded.length > 0) {
    report.failedBatches += 1;
    report.refunded += refunded.length;
  }
}

async function expireBatch(deps: SenderDeps, batch: WithdrawalBatch, now: Date, report: SenderReport) {
  const outcome = await deps.db.transaction(async (tx) => {
    if (!(await claimBatch(tx, batch.id, "expired", now))) return undefined;
    const items = await tx.db.withdrawal.findMany({ where: sendingIn(batch.id) });
    const exhausted = items.filter((w) => w.attempts + 1 >= deps.maxAttempts);
    const retried = items.filter((w) => w.attempts + 1 < deps.maxAttempts);
    await tx.db.withdrawal.updateMany({
      where: { id: { in: retried.map((w) => w.id) } },
      data: { status: "pending" satisfies WithdrawalStatus, batchId: null, attempts: { increment: 1 } },
    });
    await tx.db.withdrawal.updateMany({
      where: { id: { in: exhausted.map((w) => w.id) } },
      data: { attempts: { increment: 1 } },
    });
    await refund(deps, tx, exhausted, `it could not be sent in ${deps.maxAttempts} tries`, now);
    return { retried: retried.length, refunded: exhausted.length };
  });
  if (outcome) {
    report.expiredBatches += 1;
    report.requeued += outcome.retried;
    report.refunded += outcome.refunded;
  }
}

/** The withdrawals an open batch is paying. */
const sendingIn = (batchId: number) => ({ batchId, status: "sending" satisfies WithdrawalStatus });

/** Moves an open batch to its final status; false when another run got there first. */
async function claimBatch(
  tx: Tx,
  id: number,
  status: Exclude<WithdrawalBatchStatus, "open">,
  now: Date,
  lastError?: string,
): Promise<boolean> {
  const claimed = await tx.db.withdrawalBatch.updateMany({
    where: { id, status: "open" satisfies WithdrawalBatchStatus },
    data: { status, settledAt: now, ...(lastError ? { lastError } : {}) },
  });
  return claimed.count === 1;
}

/** Returns failed withdrawals' money from the holding account to their members. */
async function refund(
  deps: SenderDeps,
  tx: Tx,
  items: Withdrawal[],
  reason: string,
  now: Date,
): Promise<void> {
  if (items.length === 0) return;
  await deps.ledger.execute(
    tx,
    items.map((w) => ({
      kind: "transfer" as const,
      key: subKey("withdrawal", w.id, "refund"),
      debit: withdrawalsHolding(w.token),
      credit: accounts.user(w.userId, w.token),
      token: w.token,
      amountAtoms: atomsOf(w),
      code: WITHDRAWAL_CODES.refunded,
      memo: `withdrawal #${w.id} returned: ${reason}`,
      meta: { withdrawalId: w.id },
    })),
  );
  await tx.db.withdrawal.updateMany({
    where: { id: { in: items.map((w) => w.id) } },
    data: { status: "failed" satisfies WithdrawalStatus, failureReason: reason, settledAt: now },
  });
  for (const w of items) {
    notifyAfterCommit(
      deps,
      tx,
      w,
      `Your withdrawal #${w.id} of ${money(deps, w)} failed (${reason}); the money is back in your balance.`,
    );
  }
}

async function signNewBatches(
  deps: SenderDeps,
  now: Date,
  report: SenderReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const pending = await deps.db.prisma.withdrawal.findMany({
    where: { status: "pending" satisfies WithdrawalStatus },
    orderBy: { id: "asc" },
    take: MAX_PENDING_PER_RUN,
  });
  const byToken = new Map<string, Withdrawal[]>();
  for (const w of pending) byToken.set(w.token, [...(byToken.get(w.token) ?? []), w]);
  for (const [symbol, withdrawals] of byToken) {
    signal?.throwIfAborted();
    try {
      await signBatchesOf(deps, symbol, withdrawals, now, report, signal);
    } catch (error) {
      signal?.throwIfAborted();
      deps.log.error({ err: error, token: symbol }, "could not batch withdrawals this run");
    }
  }
}

async function signBatchesOf(
  deps: SenderDeps,
  symbol: string,
  withdrawals: Withdrawal[],
  now: Date,
  report: SenderReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const token = deps.tokens.get(symbol);
  const asset = onChainAsset(token);
  if (!asset) throw new Error(`${symbol} has no Solana mint`);
  const tokenProgram = asset.kind === "spl" ? await tokenProgramOf(deps.rpc, asset) : undefined;
  let remaining = withdrawals.map((w) => ({
    withdrawalId: w.id,
    destination: parseWalletAddress(w.destination),
    amountAtoms: atomsOf(w),
  }));
  while (remaining.length > 0) {
    signal?.throwIfAborted();
    const candidates = remaining.slice(0, deps.batchSize);
    const existing =
      asset.kind === "spl"
        ? await existingAccounts(deps.rpc, { asset, ...(tokenProgram ? { tokenProgram } : {}) }, candidates)
        : new Set<string>();
    const { blockhash, lastValidBlockHeight } = await deps.rpc.latestBlockhash();
    const { transaction, included } = buildWithdrawalTransaction({
      treasury: deps.treasury.publicKey,
      asset,
      decimals: token.decimals,
      ...(tokenProgram ? { tokenProgram } : {}),
      blockhash,
      lastValidBlockHeight,
      items: candidates,
      existingTokenAccounts: existing,
    });
    remaining = remaining.slice(included.length);
    deps.treasury.sign(transaction);
    const bytes = transaction.serialize();
    const signature = bs58.encode(transaction.signature!);
    const batchId = await storeBatch(deps, {
      symbol,
      signature,
      bytes,
      blockhash,
      lastValidBlockHeight,
      included,
      now,
    });
    if (batchId === undefined) continue; // another run took these withdrawals: this copy is never sent
    report.signedBatches += 1;
    report.batched += included.length;
    await send(deps, batchId, bytes);
  }
}

/** Stores the signed batch and assigns its withdrawals, all or nothing, before anything is sent. */
async function storeBatch(
  deps: SenderDeps,
  batch: {
    symbol: string;
    signature: string;
    bytes: Uint8Array;
    blockhash: string;
    lastValidBlockHeight: bigint;
    included: BatchItem[];
    now: Date;
  },
): Promise<number | undefined> {
  const ids = batch.included.map((i) => i.withdrawalId);
  return deps.db.transaction(async (tx) => {
    const still = await tx.db.$queryRaw<Array<{ id: number }>>`
      SELECT id FROM withdrawals WHERE id = ANY(${ids}::int[]) AND status = 'pending' FOR UPDATE`;
    if (still.length !== ids.length) return undefined;
    const row = await tx.db.withdrawalBatch.create({
      data: {
        token: batch.symbol,
        status: "open" satisfies WithdrawalBatchStatus,
        signature: batch.signature,
        transaction: Buffer.from(batch.bytes).toString("base64"),
        blockhash: batch.blockhash,
        lastValidBlockHeight: batch.lastValidBlockHeight,
        createdAt: batch.now,
      },
    });
    await tx.db.withdrawal.updateMany({
      where: { id: { in: ids } },
      data: { status: "sending" satisfies WithdrawalStatus, batchId: row.id },
    });
    return row.id;
  });
}

/** Sends stored bytes. A failure is only noted: the batch's status, not this answer, decides. */
async function send(deps: SenderDeps, batchId: number, bytes: Uint8Array): Promise<void> {
  let lastError: string | null = null;
  try {
    await deps.rpc.sendRawTransaction(bytes);
  } catch (error) {
    lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    deps.log.warn(
      { err: error, batchId },
      "sending a withdrawal batch failed; its status decides what happens next",
    );
  }
  await deps.db.prisma.withdrawalBatch.update({
    where: { id: batchId },
    data: { sendCount: { increment: 1 }, lastError },
  });
}

async function tokenProgramOf(
  rpc: SolanaWriter,
  asset: Extract<OnChainAsset, { kind: "spl" }>,
): Promise<PublicKey> {
  const owner = await rpc.accountOwner(asset.mint);
  if (owner && (owner.equals(TOKEN_PROGRAM_ID) || owner.equals(TOKEN_2022_PROGRAM_ID))) return owner;
  throw new Error(`the mint ${asset.mint.toBase58()} is not a token mint on this cluster`);
}

/** Which of the recipients' token accounts already exist (the others are created in the batch). */
async function existingAccounts(
  rpc: SolanaWriter,
  spl: { asset: OnChainAsset; tokenProgram?: PublicKey },
  items: BatchItem[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const accounts = new Map(
    items.map((i) => {
      const account = recipientTokenAccount(spl, i.destination);
      return [account.toBase58(), account];
    }),
  );
  for (const [key, account] of accounts) {
    if (await rpc.accountOwner(account)) found.add(key);
  }
  return found;
}

function atomsOf(w: Withdrawal): bigint {
  return BigInt(w.amount.toFixed());
}

function money(deps: SenderDeps, w: Withdrawal): string {
  return formatMoney(atomsOf(w), deps.tokens.get(w.token));
}

function notifyAfterCommit(deps: SenderDeps, tx: Tx, w: Withdrawal, text: string): void {
  tx.afterCommit(async () => {
    await deps.notifier.notifyUser(w.userId, { title: "Withdrawal", text });
  });
}
