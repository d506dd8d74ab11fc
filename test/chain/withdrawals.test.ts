// Withdrawals end to end: members ask through the console; the sender builds, signs, stores and
// submits real SPL and SOL transfers into an in-process Solana runtime (solana-bankrun); what the
// recipients hold there matches the ledger. Lost answers, lost requests and expired blockhashes
// never pay twice, nor does a run stopped by its job's timeout.
import { Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SignatureStatus, SolanaWriter } from "#src/chain/rpc.ts";
import { WITHDRAWAL_CODES, withdrawalsHolding } from "#src/chain/withdrawals.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type BankrunRpc, startRuntime } from "#test/helpers/bankrun.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { signText, startFixtureRpc } from "#test/helpers/solana.ts";

const treasury = Keypair.generate();
const TREASURY_USDC = 1_000_000_000n; // 1,000 USDC
const node = await startFixtureRpc(); // makes the bot "connected"; sending goes to the runtime
afterAll(() => node.close());

/** The runtime, with sends that can be lost on the way there or on the way back. */
class UnreliableLink implements SolanaWriter {
  /** Sends that never reach the runtime. */
  dropRequests = 0;
  /** Sends the runtime accepts whose answer is lost. */
  dropAnswers = 0;
  delivered = 0;

  constructor(private readonly runtime: BankrunRpc) {}

  latestBlockhash() {
    return this.runtime.latestBlockhash();
  }
  finalizedBlockHeight() {
    return this.runtime.finalizedBlockHeight();
  }
  signatureStatus(signature: string): Promise<SignatureStatus | null> {
    return this.runtime.signatureStatus(signature);
  }
  accountOwner(address: PublicKey) {
    return this.runtime.accountOwner(address);
  }
  async sendRawTransaction(bytes: Uint8Array): Promise<void> {
    if (this.dropRequests > 0) {
      this.dropRequests -= 1;
      throw new Error("connect ETIMEDOUT");
    }
    await this.runtime.sendRawTransaction(bytes);
    this.delivered += 1;
    if (this.dropAnswers > 0) {
      this.dropAnswers -= 1;
      throw new Error("socket hang up");
    }
  }
}

interface Member {
  name: string;
  wallet: Keypair;
  userId: number;
}

function suite(get: () => ConsoleHarness) {
  let runtime: BankrunRpc;
  let link: UnreliableLink;
  const bob = Keypair.generate();
  beforeAll(async () => {
    runtime = await startRuntime({
      treasury,
      treasuryUsdcAtoms: TREASURY_USDC,
      withTokenAccounts: [bob.publicKey],
    });
    link = new UnreliableLink(runtime);
  });

  const send = () =>
    get()
      .app.services.chain.sendWithdrawals(get().clock.now(), { rpc: link })
      .then((r) => r!);
  const member = async (name: string, wallet = Keypair.generate()): Promise<Member> => {
    const asked = await get().one(`@${name} /wallet link address:${wallet.publicKey.toBase58()}`);
    const message = (asked.data as { message: string }).message;
    expect((await get().one(`@${name} /wallet verify signature:${signText(wallet, message)}`)).code).toBe(
      "ok",
    );
    const user = await get().app.services.identity.findByPlatformId(get().app.db.prisma, "console", name);
    return { name, wallet, userId: user!.userId };
  };
  const withdraw = async (who: Member, amount: string, token: string) => {
    const preview = await get().one(`@${who.name} /withdraw request amount:${amount} token:${token}`);
    expect(preview.code, preview.text).toBe("confirmation_required");
    const done = await get().one(`@${who.name} /confirm`);
    expect(done.code, done.text).toBe("ok");
    return (done.data as { withdrawal: { id: number } }).withdrawal.id;
  };
  const balance = async (who: Member, token: string) =>
    (await get().app.services.ledger.balance(get().app.db.prisma, accounts.user(who.userId, token)))
      .balanceAtoms;
  const batches = () => get().app.db.prisma.withdrawalBatch.findMany({ orderBy: { id: "asc" } });

  it("refuses what cannot be withdrawn, changing nothing", async () => {
    const zoe = await member("zoe");
    await get().run("@mod /admin credit user:@zoe amount:10 token:USDC reason:test");
    const records = await get().run(`
      @nobody /withdraw request amount:1 token:USDC
      @zoe /withdraw request amount:1 token:CLONES
      @zoe /withdraw request amount:11 token:USDC
      @zoe /withdraw request amount:0 token:USDC
      @zoe /withdraw request amount:-1 token:USDC
      @zoe /withdraw request amount:0.0000001 token:USDC
    `);
    expect(records.map((r) => r.code)).toEqual([
      "no_wallet",
      "token_not_on_chain",
      "insufficient_funds",
      "invalid_amount",
      "invalid_amount",
      "invalid_amount",
    ]);
    expect(await balance(zoe, "USDC")).toBe(10_000_000n);
    expect(await get().app.db.prisma.withdrawal.count()).toBe(0);
  });

  it("pays SPL and SOL withdrawals in batches, and the runtime's balances match the ledger", async () => {
    const alice = await member("alice");
    const bobby = await member("bob", bob);
    await get().run(`
      @mod /admin credit user:@alice amount:100 token:USDC reason:test
      @mod /admin credit user:@alice amount:1 token:SOL reason:test
      @mod /admin credit user:@bob amount:50 token:USDC reason:test
    `);
    await withdraw(alice, "12.5", "USDC");
    await withdraw(bobby, "7.25", "USDC");
    await withdraw(bobby, "1", "USDC");
    await withdraw(alice, "0.25", "SOL");
    await withdraw(alice, "0.000001", "USDC");
    // Their balances left at once, into the holding account.
    expect(await balance(alice, "USDC")).toBe(87_499_999n);
    const first = await send();
    // Three withdrawals fit in a batch here (WITHDRAWAL_BATCH_SIZE=3): USDC needs two, SOL one.
    expect(first).toMatchObject({ signedBatches: 3, batched: 5, confirmedBatches: 0 });
    const second = await send();
    expect(second).toMatchObject({ confirmedBatches: 3, sent: 5, signedBatches: 0 });

    expect(await runtime.tokenBalance(alice.wallet.publicKey)).toBe(12_500_001n);
    expect(await runtime.tokenBalance(bob.publicKey)).toBe(8_250_000n);
    expect(await runtime.lamports(alice.wallet.publicKey)).toBe(250_000_000n);
    // What the ledger says went out, per recipient, is what they hold on chain.
    const sent = await get().app.db.prisma.withdrawal.findMany({ where: { status: "sent" } });
    const ledgerByRecipient = new Map<string, bigint>();
    for (const w of sent) {
      const key = `${w.destination}:${w.token}`;
      ledgerByRecipient.set(key, (ledgerByRecipient.get(key) ?? 0n) + BigInt(w.amount.toFixed()));
    }
    for (const [key, atoms] of ledgerByRecipient) {
      const [address, token] = key.split(":");
      const owner = [alice, bobby].find((m) => m.wallet.publicKey.toBase58() === address)!.wallet.publicKey;
      expect(token === "SOL" ? await runtime.lamports(owner) : await runtime.tokenBalance(owner)).toBe(atoms);
    }
    expect(await runtime.tokenBalance(treasury.publicKey)).toBe(TREASURY_USDC - 20_750_001n);
    const holding = await get().app.services.ledger.balance(get().app.db.prisma, withdrawalsHolding("USDC"));
    expect(holding.balanceAtoms).toBe(0n);
    const outgoing = await get().app.db.prisma.transfer.count({ where: { code: WITHDRAWAL_CODES.sent } });
    expect(outgoing).toBe(5);
    expect((await auditLedger(get().app.db)).ok).toBe(true);

    const status = await get().one("@alice /withdraw status");
    const shown = (
      status.data as { withdrawals: Array<{ status: string; signature: string; amount: string }> }
    ).withdrawals;
    const signatures = new Set((await batches()).map((b) => b.signature));
    expect(shown.map((w) => [w.amount, w.status])).toEqual([
      ["0.000001", "sent"],
      ["0.25", "sent"],
      ["12.5", "sent"],
    ]);
    for (const w of shown) {
      expect(signatures.has(w.signature)).toBe(true);
      expect(status.text).toContain(w.signature);
      expect(await runtime.signatureStatus(w.signature)).toEqual({ finalized: true, err: null });
    }
    expect(get().notices.some((n) => n.to === "to @bob" && n.text.includes("was sent"))).toBe(true);
  });

  it("does not pay twice when the answer to a send is lost", async () => {
    const carl = await member("carl");
    await get().run("@mod /admin credit user:@carl amount:20 token:USDC reason:test");
    await withdraw(carl, "5", "USDC");
    link.dropAnswers = 1;
    const first = await send();
    expect(first.signedBatches).toBe(1);
    const [batch] = (await batches()).slice(-1);
    expect(batch!.lastError).toBe("socket hang up");
    expect(await runtime.tokenBalance(carl.wallet.publicKey)).toBe(5_000_000n); // it did arrive
    const second = await send();
    expect(second).toMatchObject({ confirmedBatches: 1, sent: 1, signedBatches: 0, resent: 0 });
    expect(await send()).toMatchObject({ confirmedBatches: 0, signedBatches: 0, resent: 0 });
    expect(await runtime.tokenBalance(carl.wallet.publicKey)).toBe(5_000_000n);
    expect((await batches()).at(-1)!.id).toBe(batch!.id);
  });

  it("re-sends the same bytes while the blockhash is valid", async () => {
    const dana = await member("dana");
    await get().run("@mod /admin credit user:@dana amount:20 token:USDC reason:test");
    await withdraw(dana, "3", "USDC");
    link.dropRequests = 1;
    expect(await send()).toMatchObject({ signedBatches: 1 });
    const stored = (await batches()).at(-1)!;
    expect(await runtime.signatureStatus(stored.signature)).toBeNull();
    expect(await send()).toMatchObject({ resent: 1, signedBatches: 0 });
    expect(await send()).toMatchObject({ confirmedBatches: 1, sent: 1 });
    const after = (await batches()).at(-1)!;
    expect([after.id, after.signature, after.sendCount, after.status]).toEqual([
      stored.id,
      stored.signature,
      2,
      "confirmed",
    ]);
    expect(await runtime.tokenBalance(dana.wallet.publicKey)).toBe(3_000_000n);
  });

  it("signs anew only after the blockhash expired with the transaction unseen", async () => {
    const emil = await member("emil");
    await get().run("@mod /admin credit user:@emil amount:20 token:USDC reason:test");
    const id = await withdraw(emil, "4", "USDC");
    link.dropRequests = 2;
    await send();
    const lost = (await batches()).at(-1)!;
    // Unseen but not yet expired: re-sent as is, never re-signed.
    expect(await send()).toMatchObject({ resent: 1, signedBatches: 0, expiredBatches: 0 });
    await runtime.warpPastBlockHeight(lost.lastValidBlockHeight);
    const renewed = await send();
    expect(renewed).toMatchObject({ expiredBatches: 1, requeued: 1, signedBatches: 1 });
    const [expired, fresh] = (await batches()).slice(-2);
    expect([expired!.id, expired!.status]).toEqual([lost.id, "expired"]);
    expect(fresh!.signature).not.toBe(lost.signature);
    expect(await send()).toMatchObject({ confirmedBatches: 1, sent: 1 });
    expect(await runtime.tokenBalance(emil.wallet.publicKey)).toBe(4_000_000n);
    const row = await get().app.db.prisma.withdrawal.findUniqueOrThrow({ where: { id } });
    expect([row.status, row.attempts, row.batchId]).toEqual(["sent", 1, fresh!.id]);
  });

  it("returns the money when the transfer fails on chain or can never be sent", async () => {
    const fay = await member("fay");
    await get().run(`
      @mod /admin credit user:@fay amount:5000 token:USDC reason:test
      @mod /admin credit user:@fay amount:1 token:SOL reason:test
    `);
    // More than the treasury holds: the transaction lands and fails.
    await withdraw(fay, "2000", "USDC");
    expect(await balance(fay, "USDC")).toBe(3_000_000_000n);
    await send();
    expect(await send()).toMatchObject({ failedBatches: 1, refunded: 1 });
    expect(await balance(fay, "USDC")).toBe(5_000_000_000n);
    expect(await runtime.tokenBalance(fay.wallet.publicKey)).toBe(0n);

    // Never reaching the runtime, twice (WITHDRAWAL_MAX_ATTEMPTS=2): refunded, never paid.
    await withdraw(fay, "0.5", "SOL");
    link.dropRequests = 1_000;
    for (let round = 0; round < 2; round++) {
      await send();
      await runtime.warpPastBlockHeight((await batches()).at(-1)!.lastValidBlockHeight);
    }
    const last = await send();
    link.dropRequests = 0;
    expect(last).toMatchObject({ expiredBatches: 1, refunded: 1, signedBatches: 0 });
    expect(await balance(fay, "SOL")).toBe(BigInt(LAMPORTS_PER_SOL));
    expect(await runtime.lamports(fay.wallet.publicKey)).toBe(0n);
    const status = await get().one("@fay /withdraw status");
    const shown = (status.data as { withdrawals: Array<{ status: string; failureReason: string }> })
      .withdrawals;
    expect(shown.map((w) => w.status)).toEqual(["failed", "failed"]);
    expect(status.text).toContain("money returned");
    expect((await auditLedger(get().app.db)).ok).toBe(true);
    expect(
      await get().app.services.ledger.balance(get().app.db.prisma, withdrawalsHolding("SOL")),
    ).toMatchObject({
      balanceAtoms: 0n,
    });
  });

  it("a run stopped by its timeout ends after the batch it is sending; the next runs do the rest", async () => {
    const gil = await member("gil");
    await get().run("@mod /admin credit user:@gil amount:20 token:USDC reason:test");
    const ids: number[] = [];
    for (const amount of ["1", "2", "3", "4"]) ids.push(await withdraw(gil, amount, "USDC"));
    const before = (await batches()).length;
    // The job's timeout comes while the first batch (three withdrawals) is being sent.
    const timeout = new AbortController();
    const stopping: SolanaWriter = {
      latestBlockhash: () => link.latestBlockhash(),
      finalizedBlockHeight: () => link.finalizedBlockHeight(),
      signatureStatus: (signature) => link.signatureStatus(signature),
      accountOwner: (address) => link.accountOwner(address),
      async sendRawTransaction(bytes) {
        timeout.abort(new JobTimeoutError(300_000));
        await link.sendRawTransaction(bytes);
      },
    };
    const stopped = get().app.services.chain.sendWithdrawals(get().clock.now(), {
      rpc: stopping,
      signal: timeout.signal,
    });
    await expect(stopped).rejects.toBeInstanceOf(JobTimeoutError);
    // That batch was stored and sent whole; the fourth withdrawal waits, in no batch.
    const sent = (await batches()).slice(before);
    expect(sent.map((b) => [b.status, b.sendCount])).toEqual([["open", 1]]);
    const rows = await get().app.db.prisma.withdrawal.findMany({
      where: { id: { in: ids } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((w) => [w.status, w.batchId])).toEqual([
      ["sending", sent[0]!.id],
      ["sending", sent[0]!.id],
      ["sending", sent[0]!.id],
      ["pending", null],
    ]);
    expect(await send()).toMatchObject({ confirmedBatches: 1, sent: 3, signedBatches: 1, batched: 1 });
    expect(await send()).toMatchObject({ confirmedBatches: 1, sent: 1, signedBatches: 0 });
    expect(await runtime.tokenBalance(gil.wallet.publicKey)).toBe(10_000_000n);
    expect(await balance(gil, "USDC")).toBe(10_000_000n);
    expect((await auditLedger(get().app.db)).ok).toBe(true);
  });
}

const env = {
  SOLANA_RPC_URL: node.url,
  SOLANA_TREASURY_KEY: bs58.encode(treasury.secretKey),
  WITHDRAWAL_BATCH_SIZE: "3",
  WITHDRAWAL_MAX_ATTEMPTS: "2",
};

describeConsole("withdrawals into a Solana runtime", (get) => suite(get), {
  env,
  moderators: ["mod"],
  kinds: ["pglite"],
});

describeConsole(
  "two senders at once",
  (get) => {
    it("put each withdrawal in one batch and pay it once", async () => {
      const runtime = await startRuntime({ treasury, treasuryUsdcAtoms: TREASURY_USDC });
      const wallets: Keypair[] = [];
      for (let i = 0; i < 6; i++) {
        const wallet = Keypair.generate();
        wallets.push(wallet);
        const asked = await get().one(`@m${i} /wallet link address:${wallet.publicKey.toBase58()}`);
        await get().one(
          `@m${i} /wallet verify signature:${signText(wallet, (asked.data as { message: string }).message)}`,
        );
        await get().one(`@mod /admin credit user:@m${i} amount:10 token:USDC reason:test`);
        await get().one(`@m${i} /withdraw request amount:${i + 1} token:USDC`);
        expect((await get().one(`@m${i} /confirm`)).code).toBe("ok");
      }
      const chain = get().app.services.chain;
      const now = get().clock.now();
      const runs = await Promise.all([
        chain.sendWithdrawals(now, { rpc: runtime }),
        chain.sendWithdrawals(now, { rpc: runtime }),
      ]);
      expect(runs.reduce((n, r) => n + r!.batched, 0)).toBe(6);
      await chain.sendWithdrawals(now, { rpc: runtime });
      for (const [i, wallet] of wallets.entries()) {
        expect(await runtime.tokenBalance(wallet.publicKey)).toBe(BigInt(i + 1) * 1_000_000n);
      }
      expect(await get().app.db.prisma.withdrawal.count({ where: { status: "sent" } })).toBe(6);
      expect((await auditLedger(get().app.db)).ok).toBe(true);
    });
  },
  { env, moderators: ["mod"], kinds: ["postgres"] },
);
