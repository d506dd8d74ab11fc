// SIGTERM drains a real bot process: the grading under way when the signal comes is finished and
// settled, and the withdrawal batch under way is sent and recorded, before the process exits 0;
// nothing is lost or paid twice; a second signal exits at once. The bot
// runs as `npm start` runs it (Telegram by webhook against a fake Bot API, PostgreSQL, an external
// grader on loopback that takes its time).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Keypair } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "#src/core/clock.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type BankrunRpc, startRuntime } from "#test/helpers/bankrun.ts";
import { type ConsoleHarness, startConsole } from "#test/helpers/console.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { type FakeTelegram, startFakeTelegram, TELEGRAM_TOKEN } from "#test/helpers/fake-telegram.ts";
import { signText } from "#test/helpers/solana.ts";
import { killBots, startBot } from "./fixtures/bot-process.ts";
import { type SolanaJsonRpc, startSolanaJsonRpc } from "./fixtures/solana-json-rpc.ts";

const RECORDING = fileURLToPath(new URL("../fixtures/forge-demos/20251007_131852", import.meta.url));
const GRADING_MS = 2_500;

/** The fixture recording with its id changed: a recording of its own (not a duplicate). */
export function recordingCopy(n: number): { meta: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "forgebot-recording-"));
  const meta = JSON.parse(readFileSync(join(RECORDING, "meta.json"), "utf8")) as { id: string };
  meta.id = `${meta.id}_${n}`;
  writeFileSync(join(dir, "meta.json"), JSON.stringify(meta, null, 2));
  copyFileSync(join(RECORDING, "input_log.jsonl"), join(dir, "input_log.jsonl"));
  return { meta: join(dir, "meta.json"), log: join(dir, "input_log.jsonl") };
}

const submitLine = (farmer: string, n: number) => {
  const { meta, log } = recordingCopy(n);
  return `@${farmer} /submit factory:1 file:file:${meta} log:file:${log}`;
};

/** An external grader that answers each request after `delayMs`, telling the test when one arrives. */
async function startSlowGrader(delayMs: number) {
  const arrivals: Array<() => void> = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    for (const arrived of arrivals.splice(0)) arrived();
    req.resume();
    setTimeout(() => {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ score: 80, summary: "fine", reasoning: "slow but sure" }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/grade`,
    get requests() {
      return requests;
    },
    nextRequest: () => new Promise<void>((resolve) => arrivals.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Queues submissions (via the console, in this process) that the bot process will grade. */
async function queueSubmissions(harness: ConsoleHarness, count: number): Promise<void> {
  // This process grades nothing: its grader never answers, so the submissions stay queued.
  harness.app.services.submissions.use({ grader: { grade: () => new Promise(() => {}) } });
  const records = await harness.run(
    [
      "@cora /balance",
      "@alice /admin credit user:@cora amount:100 token:USDC reason:grant",
      '@cora /factory create name:"Shop carts" token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ref:task_2',
      "@cora /pool fund factory:1 amount:10",
      "@cora /confirm",
      ...Array.from({ length: count }, (_, i) => submitLine(`farmer${i}`, i)),
    ].join("\n"),
  );
  for (const record of records) expect(record.ok, JSON.stringify(record)).toBe(true);
}

(postgresAvailable() ? describe : describe.skip)("SIGTERM on a bot process [postgres]", () => {
  let harness: ConsoleHarness;
  let telegram: FakeTelegram;
  let grader: Awaited<ReturnType<typeof startSlowGrader>>;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    grader = await startSlowGrader(GRADING_MS);
    // The bot process runs on the system clock: the submissions are stamped with today.
    harness = await startConsole("postgres", { clock: new ManualClock(new Date()), moderators: ["alice"] });
  });
  afterAll(async () => {
    killBots();
    await grader?.close();
    await telegram?.close();
    await harness?.close();
  });

  const botEnv = () => ({
    DATABASE_URL: harness.app.config.DATABASE_URL,
    DATABASE_POOL_SIZE: "4",
    // The recordings the harness stored: the bot process reads their actions back to grade them.
    STORAGE_DIR: harness.app.config.STORAGE_DIR,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_URL: "https://bot.example.com/hooks/telegram",
    TELEGRAM_WEBHOOK_SECRET: "a-webhook-secret-for-tests_123456",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    GRADER_URL: grader.url,
    GRADING_CONCURRENCY: "1",
    SHUTDOWN_TIMEOUT_SECONDS: "20",
    // What a killed process left queued is handed to the graders again within seconds.
    JOB_SCHEDULES: "pending-grades=*/3 * * * * *",
  });

  it("during a grading: the grade is settled, then the process exits 0", { timeout: 120_000 }, async () => {
    await queueSubmissions(harness, 1);
    const { db } = harness.app;
    expect((await db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } })).status).toBe("queued");

    // Start-up's catch-up runs pending-grades, which hands the submission to the (slow) grader.
    const graderAsked = grader.nextRequest();
    const bot = startBot("drainer", botEnv());
    await graderAsked;
    const signalledAt = performance.now();
    bot.child.kill("SIGTERM");
    const exit = await bot.exited;
    const drainMs = Math.round(performance.now() - signalledAt);
    console.log(
      `drain during a grading: exit ${exit.code} after ${drainMs} ms (grader answers in ${GRADING_MS} ms)`,
    );

    expect(exit).toEqual({ code: 0, signal: null });
    expect(bot.logs.some((l) => l.msg === "drained; exiting")).toBe(true);
    // It waited for the grade rather than dropping it: settled and paid once.
    expect(drainMs).toBeGreaterThan(GRADING_MS / 2);
    const submission = await db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } });
    expect(submission.status).not.toBe("queued");
    expect(submission.score).toBe(80);
    const payouts = await db.prisma.transfer.findMany({ where: { code: "payout.farmer" } });
    expect(payouts).toHaveLength(1);
    expect((await auditLedger(db)).problems).toEqual([]);
    expect(grader.requests).toBe(1);
  });

  it("a second signal exits at once, the grading left queued for the next process", {
    timeout: 120_000,
  }, async () => {
    const submitted = await harness.one(submitLine("farmer9", 9));
    expect(submitted.ok, JSON.stringify(submitted)).toBe(true);
    const { db } = harness.app;
    const queued = await db.prisma.submission.findFirstOrThrow({ where: { status: "queued" } });
    const graderAsked = grader.nextRequest();
    const bot = startBot("impatient", botEnv());
    await graderAsked;
    const signalledAt = performance.now();
    bot.child.kill("SIGTERM");
    await bot.waitForLog((l) => l.msg === "shutting down: draining");
    bot.child.kill("SIGTERM");
    const exit = await bot.exited;
    const exitMs = Math.round(performance.now() - signalledAt);
    console.log(`second signal: exit ${exit.code} after ${exitMs} ms`);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(exitMs).toBeLessThan(GRADING_MS);
    // Nothing half done: the submission still waits for its grade, and the next process grades it.
    expect((await db.prisma.submission.findUniqueOrThrow({ where: { id: queued.id } })).status).toBe(
      "queued",
    );
    const askedAgain = grader.nextRequest();
    const next = startBot("next", botEnv());
    await askedAgain;
    next.child.kill("SIGTERM");
    expect(await next.exited).toEqual({ code: 0, signal: null });
    const graded = await db.prisma.submission.findUniqueOrThrow({ where: { id: queued.id } });
    expect(graded.score).toBe(80);
    expect(await db.prisma.transfer.count({ where: { code: "payout.farmer" } })).toBe(2);
    expect((await auditLedger(db)).problems).toEqual([]);
  });
});

(postgresAvailable() ? describe : describe.skip)("SIGTERM during a withdrawal batch [postgres]", () => {
  const treasury = Keypair.generate();
  const SEND_DELAY_MS = 2_000;
  let harness: ConsoleHarness;
  let telegram: FakeTelegram;
  let runtime: BankrunRpc;
  let node: SolanaJsonRpc;
  const wallets = ["ann", "ben", "cat"].map((name) => ({ name, wallet: Keypair.generate() }));

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    runtime = await startRuntime({ treasury, treasuryUsdcAtoms: 1_000_000_000n });
    node = await startSolanaJsonRpc(runtime, { sendDelayMs: SEND_DELAY_MS });
    harness = await startConsole("postgres", {
      clock: new ManualClock(new Date()),
      moderators: ["mod"],
      env: { SOLANA_RPC_URL: node.url, SOLANA_TREASURY_KEY: JSON.stringify(Array.from(treasury.secretKey)) },
    });
  });
  afterAll(async () => {
    killBots();
    await node?.close();
    await telegram?.close();
    await harness?.close();
  });

  const botEnv = () => ({
    DATABASE_URL: harness.app.config.DATABASE_URL,
    DATABASE_POOL_SIZE: "4",
    // The recordings the harness stored: the bot process reads their actions back to grade them.
    STORAGE_DIR: harness.app.config.STORAGE_DIR,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_URL: "https://bot.example.com/hooks/telegram",
    TELEGRAM_WEBHOOK_SECRET: "a-webhook-secret-for-tests_123456",
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    SOLANA_RPC_URL: node.url,
    SOLANA_TREASURY_KEY: JSON.stringify(Array.from(treasury.secretKey)),
    JOB_SCHEDULES: "withdrawals=*/2 * * * * *",
    SHUTDOWN_TIMEOUT_SECONDS: "20",
  });

  it("the batch under way is sent and recorded, then the process exits 0; the next settles it, paying once", {
    timeout: 120_000,
  }, async () => {
    for (const { name, wallet } of wallets) {
      const asked = await harness.one(`@${name} /wallet link address:${wallet.publicKey.toBase58()}`);
      const message = (asked.data as { message: string }).message;
      expect((await harness.one(`@${name} /wallet verify signature:${signText(wallet, message)}`)).code).toBe(
        "ok",
      );
      expect(
        (await harness.one(`@mod /admin credit user:@${name} amount:1 token:SOL reason:test`)).code,
      ).toBe("ok");
      expect((await harness.one(`@${name} /withdraw request amount:0.25 token:SOL`)).code).toBe(
        "confirmation_required",
      );
      expect((await harness.one(`@${name} /confirm`)).code).toBe("ok");
    }
    const { db } = harness.app;
    expect(await db.prisma.withdrawal.count({ where: { status: "pending" } })).toBe(3);

    // SIGTERM as the batch's transaction reaches the node, whose answer takes 2 s.
    const sending = node.nextSend();
    const bot = startBot("sender", botEnv());
    await sending;
    const signalledAt = performance.now();
    bot.child.kill("SIGTERM");
    const exit = await bot.exited;
    const drainMs = Math.round(performance.now() - signalledAt);
    console.log(
      `drain during a withdrawal batch: exit ${exit.code} after ${drainMs} ms (the node answers in ${SEND_DELAY_MS} ms)`,
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(drainMs).toBeGreaterThan(SEND_DELAY_MS / 2);

    // The run finished (none left running for a takeover), the batch is recorded with its
    // signature, and the chain paid each wallet once.
    const runs = await db.prisma.jobRun.findMany({ where: { job: "withdrawals" } });
    expect(runs.filter((r) => r.status !== "done")).toEqual([]);
    const batches = await db.prisma.withdrawalBatch.findMany();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.signature).toBeTruthy();
    expect(await db.prisma.withdrawal.count({ where: { status: "sending", batchId: batches[0]!.id } })).toBe(
      3,
    );
    for (const { wallet } of wallets) expect(await runtime.lamports(wallet.publicKey)).toBe(250_000_000n);

    // The next process settles the batch: sent, once, the books balanced.
    const settler = startBot("settler", botEnv());
    const deadline = performance.now() + 30_000;
    while (
      (await db.prisma.withdrawal.count({ where: { status: "sent" } })) < 3 &&
      performance.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 500));
    settler.child.kill("SIGTERM");
    expect(await settler.exited).toEqual({ code: 0, signal: null });
    expect(await db.prisma.withdrawal.count({ where: { status: "sent" } })).toBe(3);
    expect(await db.prisma.withdrawalBatch.count()).toBe(1);
    for (const { wallet } of wallets) expect(await runtime.lamports(wallet.publicKey)).toBe(250_000_000n);
    expect(await db.prisma.transfer.count({ where: { code: "chain.withdrawal.sent" } })).toBe(3);
    expect((await auditLedger(db)).problems).toEqual([]);
  });
});
