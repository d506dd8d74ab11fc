// Reading a finalized transaction as a deposit into the treasury. Amounts come from the integer
// balances the node reports before and after the transaction (token accounts' `amount` strings,
// lamports), never from the float `uiAmount` fields; the instructions name who paid and the memo.
// Pure: the caller fetches the transaction; tests feed it recorded mainnet transactions.

import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import {
  type ParsedInstruction,
  type ParsedTransactionWithMeta,
  type PartiallyDecodedInstruction,
  PublicKey,
  type TokenBalance,
} from "@solana/web3.js";
import { UserError } from "#src/core/errors.ts";
import { formatMoney, type TokenInfo } from "#src/ledger/amount.ts";
import { isNativeSol } from "./assets.ts";

export interface DepositExpectation {
  treasury: PublicKey;
  /** Every token the bot keeps, with its mint where it has one (SOL without a mint is lamports). */
  tokens: readonly TokenInfo[];
  /** The token the member says they sent, if they said. */
  token?: TokenInfo;
}

export interface DepositFinding {
  signature: string;
  token: TokenInfo;
  /** What the treasury's account gained, in atoms. */
  amountAtoms: bigint;
  /** The wallets whose transfers into the treasury the instructions show (signers/authorities). */
  senders: string[];
  /** The memos the transaction carries. */
  memos: string[];
  slot: bigint;
  blockTime: Date | null;
}

type AnyInstruction = ParsedInstruction | PartiallyDecodedInstruction;

interface TokenMovement {
  account: string;
  mint: string;
  owner: string | undefined;
  programId: string | undefined;
  decimals: number;
  deltaAtoms: bigint;
}

export function inspectDeposit(
  signature: string,
  tx: ParsedTransactionWithMeta | null,
  expect: DepositExpectation,
): DepositFinding {
  if (!tx?.meta) {
    throw new UserError(
      "deposit_not_found",
      "That transaction is not finalized yet (or does not exist). Finalization takes about 15 seconds after it is confirmed: check the signature and try again in a minute.",
    );
  }
  const { meta } = tx;
  if (meta.err) {
    throw new UserError(
      "deposit_failed",
      `That transaction failed on chain (${JSON.stringify(meta.err)}), so it moved nothing but its fee. Send the deposit again.`,
      { error: meta.err },
    );
  }
  const keys = tx.transaction.message.accountKeys.map((k) => k.pubkey.toBase58());
  const instructions: AnyInstruction[] = [
    ...tx.transaction.message.instructions,
    ...(meta.innerInstructions ?? []).flatMap((inner) => inner.instructions),
  ];
  const parsed = instructions.filter((ix): ix is ParsedInstruction => "parsed" in ix);
  const treasury = expect.treasury.toBase58();
  const movements = tokenMovements(keys, meta.preTokenBalances ?? [], meta.postTokenBalances ?? []);

  // What reached the treasury: its associated token account of each kept mint, and its lamports.
  const received: Array<{ token: TokenInfo; amountAtoms: bigint; account: string }> = [];
  const foreignMints: TokenMovement[] = [];
  for (const movement of movements) {
    if (movement.deltaAtoms <= 0n || !isTreasuryTokenAccount(movement, expect.treasury)) continue;
    const token = expect.tokens.find((t) => t.mint === movement.mint);
    if (!token) foreignMints.push(movement);
    else if (token.decimals !== movement.decimals) {
      throw new UserError(
        "wrong_mint",
        `The mint ${movement.mint} has ${movement.decimals} decimals on chain but ${token.symbol} has ${token.decimals} here; a moderator must fix the token's settings before this can be credited.`,
      );
    } else received.push({ token, amountAtoms: movement.deltaAtoms, account: movement.account });
  }
  const sol = expect.tokens.find(isNativeSol);
  const treasuryIndex = keys.indexOf(treasury);
  const solTransfers = parsed.filter(
    (ix) =>
      ix.program === "system" &&
      (ix.parsed?.type === "transfer" || ix.parsed?.type === "transferWithSeed") &&
      ix.parsed.info?.destination === treasury,
  );
  if (sol && treasuryIndex >= 0 && solTransfers.length > 0) {
    const lamports = lamportDelta(meta.preBalances[treasuryIndex], meta.postBalances[treasuryIndex]);
    if (lamports > 0n) received.push({ token: sol, amountAtoms: lamports, account: treasury });
  }

  const wanted = expect.token;
  const matching = wanted ? received.filter((r) => r.token.symbol === wanted.symbol) : received;
  if (matching.length === 0) {
    if (wanted && received.length > 0) {
      const got = received.map((r) => r.token.symbol).join(" and ");
      throw new UserError(
        "wrong_mint",
        `That transaction paid the treasury in ${got}, not ${wanted.symbol}. Run /deposit verify with token:${received[0]!.token.symbol}, or without token.`,
      );
    }
    if (foreignMints.length > 0) {
      throw new UserError(
        "wrong_mint",
        `That transaction sent the treasury a token the bot does not accept (mint ${foreignMints[0]!.mint}). Only ${acceptedList(expect.tokens)} are credited; ask a moderator about it.`,
      );
    }
    const paid = destinationsOf(parsed, movements);
    throw new UserError(
      "wrong_destination",
      `That transaction did not pay the treasury (${treasury})${paid.length > 0 ? `: it paid ${paid.join(", ")}` : ""}. Deposits must go to the treasury address /deposit address shows.`,
      { treasury, paid },
    );
  }
  if (matching.length > 1) {
    throw new UserError(
      "multiple_tokens",
      `That transaction paid the treasury in several tokens (${matching.map((r) => formatMoney(r.amountAtoms, r.token)).join(", ")}). Ask a moderator to credit it.`,
    );
  }
  const [credit] = matching as [(typeof matching)[number]];
  const senders = sendersInto(parsed, credit.account, isNativeSol(credit.token));
  const memos = parsed
    .filter((ix) => ix.program === "spl-memo" && typeof ix.parsed === "string")
    .map((ix) => ix.parsed as string);
  return {
    signature,
    token: credit.token,
    amountAtoms: credit.amountAtoms,
    senders,
    memos,
    slot: BigInt(tx.slot),
    blockTime: typeof tx.blockTime === "number" ? new Date(tx.blockTime * 1000) : null,
  };
}

/** Each token account's change in the transaction, from the integer amounts before and after. */
function tokenMovements(keys: string[], pre: TokenBalance[], post: TokenBalance[]): TokenMovement[] {
  const byIndex = new Map<number, { pre?: TokenBalance; post?: TokenBalance }>();
  for (const b of pre) byIndex.set(b.accountIndex, { ...byIndex.get(b.accountIndex), pre: b });
  for (const b of post) byIndex.set(b.accountIndex, { ...byIndex.get(b.accountIndex), post: b });
  return [...byIndex.entries()].map(([index, { pre, post }]) => {
    const any = (post ?? pre)!;
    return {
      account: keys[index] ?? "",
      mint: any.mint,
      owner: any.owner,
      programId: any.programId,
      decimals: any.uiTokenAmount.decimals,
      deltaAtoms: atoms(post) - atoms(pre),
    };
  });
}

function atoms(balance: TokenBalance | undefined): bigint {
  if (!balance) return 0n;
  const amount = balance.uiTokenAmount.amount;
  if (!/^\d+$/.test(amount)) throw new Error(`token amount "${amount}" is not an integer`);
  return BigInt(amount);
}

/** Lamports are JSON numbers: exact only below 2^53, which is refused beyond rather than rounded. */
function lamportDelta(pre: number | undefined, post: number | undefined): bigint {
  if (!Number.isSafeInteger(pre) || !Number.isSafeInteger(post)) {
    throw new UserError(
      "deposit_unverifiable",
      "The node reported the treasury's lamports beyond exact range; ask a moderator to credit this deposit.",
    );
  }
  return BigInt(post!) - BigInt(pre!);
}

function isTreasuryTokenAccount(movement: TokenMovement, treasury: PublicKey): boolean {
  if (movement.owner !== undefined && movement.owner !== treasury.toBase58()) return false;
  const programId = movement.programId ? new PublicKey(movement.programId) : undefined;
  const expected = getAssociatedTokenAddressSync(new PublicKey(movement.mint), treasury, false, programId);
  return expected.toBase58() === movement.account;
}

/** Who the instructions say paid into `account`: token authorities, or lamport sources. */
function sendersInto(instructions: ParsedInstruction[], account: string, native: boolean): string[] {
  const senders = new Set<string>();
  for (const ix of instructions) {
    const info = ix.parsed?.info;
    if (!info || info.destination !== account) continue;
    if (native && ix.program === "system") {
      if (ix.parsed.type === "transfer") senders.add(info.source);
      if (ix.parsed.type === "transferWithSeed") senders.add(info.sourceBase);
    }
    if (!native && ix.program.startsWith("spl-token")) {
      if (ix.parsed.type === "transfer" || ix.parsed.type === "transferChecked") {
        const authority = info.authority ?? info.multisigAuthority;
        if (typeof authority === "string") senders.add(authority);
      }
    }
  }
  return [...senders];
}

/** Where the transaction's transfers went, for the message that says it was not the treasury. */
function destinationsOf(instructions: ParsedInstruction[], movements: TokenMovement[]): string[] {
  const out = new Set<string>();
  for (const ix of instructions) {
    const type = ix.parsed?.type;
    const destination = ix.parsed?.info?.destination;
    if (typeof destination !== "string") continue;
    if (ix.program === "system" && (type === "transfer" || type === "transferWithSeed")) out.add(destination);
    if (ix.program.startsWith("spl-token") && (type === "transfer" || type === "transferChecked")) {
      const owner = movements.find((m) => m.account === destination)?.owner;
      out.add(owner ? `${destination} (owned by ${owner})` : destination);
    }
  }
  return [...out];
}

function acceptedList(tokens: readonly TokenInfo[]): string {
  return tokens
    .filter((t) => t.mint || isNativeSol(t))
    .map((t) => t.symbol)
    .join(", ");
}
