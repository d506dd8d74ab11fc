// The endpoints an operator and a load balancer use, on the bot's HTTP server: /healthz (alive),
// /readyz (database, migrations, draining), /metrics (behind its token) with counts that follow
// what the bot did and gauges read from the books; and the drain: new requests get 503.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts } from "#src/ledger/accounts.ts";
import { silentLogger } from "#src/log.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { type FakeTelegram, startFakeTelegram, TELEGRAM_TOKEN } from "#test/helpers/fake-telegram.ts";
import { textMessage } from "#test/helpers/telegram-updates.ts";
import { metricValue, parseMetrics } from "./prometheus-text.ts";

const SECRET = "a-webhook-secret-for-tests_123456";
const METRICS_TOKEN = "scrape-token-for-the-tests-0123";

describe("health, readiness and metrics on the HTTP server", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  let running: RunningFrontEnds | undefined;
  let base = "";

  const scrape = async () => {
    const response = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return parseMetrics(await response.text());
  };
  const sendUpdate = (text: string) =>
    fetch(`${base}/hooks/telegram`, {
      method: "POST",
      body: JSON.stringify(textMessage({ id: 218485603, first_name: "Eve" }, text)),
      headers: { "x-telegram-bot-api-secret-token": SECRET },
    });

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    test = await createTestApp("pglite", {
      env: {
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_WEBHOOK_URL: "https://bot.example.com/hooks/telegram",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        HTTP_HOST: "127.0.0.1",
        HTTP_PORT: "0",
        METRICS_TOKEN,
      },
    });
    running = await startFrontEnds(test.app, silentLogger);
    base = `http://127.0.0.1:${running!.httpPort}`;
  });

  afterAll(async () => {
    await running?.stop();
    await telegram?.close();
    await test?.close();
  });

  it("says alive on /healthz and ready on /readyz, naming each check", async () => {
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok");
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: "ok", migrations: "ok" } });
  });

  it("serves /metrics only with the bearer token", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, {
      headers: { authorization: "Bearer not-the-token-at-all-000" },
    });
    expect(wrong.status).toBe(401);
    const metrics = await scrape();
    // The process metrics are there: event-loop lag and memory.
    expect(metricValue(metrics, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(metricValue(metrics, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts commands by name and outcome, with their answer time and the webhook's acknowledgement", async () => {
    expect((await sendUpdate("/help")).status).toBe(200);
    expect((await sendUpdate("/nosuchcommand")).status).toBe(200);
    const metrics = await scrape();
    expect(
      metricValue(metrics, "forgebot_commands_total", {
        platform: "telegram",
        command: "help",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(
      metricValue(metrics, "forgebot_command_answer_seconds_count", {
        platform: "telegram",
        command: "help",
      }),
    ).toBe(1);
    expect(metricValue(metrics, "forgebot_command_ack_seconds_count", { platform: "telegram" })).toBe(2);
    expect(metricValue(metrics, "forgebot_internal_errors_total", { source: "command" })).toBeUndefined();
  });

  it("counts committed ledger transfers by code (not those rolled back) and reads the pools from the books", async () => {
    const { db, ledger } = test.app.services;
    await db.transaction((tx) =>
      ledger.transfer(tx, {
        key: "metrics-fund-1",
        debit: accounts.world("USDC"),
        credit: accounts.pool(1, "USDC"),
        token: "USDC",
        amountAtoms: 5_000_000n,
        code: "pool.fund",
      }),
    );
    await expect(
      db.transaction(async (tx) => {
        await ledger.transfer(tx, {
          key: "metrics-fund-2",
          debit: accounts.world("USDC"),
          credit: accounts.pool(1, "USDC"),
          token: "USDC",
          amountAtoms: 1n,
          code: "pool.fund",
        });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await db.transaction((tx) =>
      ledger.reserve(tx, {
        key: "metrics-reserve-1",
        debit: accounts.pool(1, "USDC"),
        credit: accounts.escrow("USDC"),
        token: "USDC",
        amountAtoms: 2_000_000n,
        code: "pool.reserve",
      }),
    );
    const metrics = await scrape();
    expect(metricValue(metrics, "forgebot_ledger_transfers_total", { code: "pool.fund" })).toBe(1);
    expect(metricValue(metrics, "forgebot_ledger_transfers_total", { code: "pool.reserve" })).toBe(1);
    expect(metricValue(metrics, "forgebot_pool_funds_atoms", { token: "USDC" })).toBe(5_000_000);
    expect(metricValue(metrics, "forgebot_pool_reserved_atoms", { token: "USDC" })).toBe(2_000_000);
    expect(metricValue(metrics, "forgebot_withdrawals_pending", { status: "pending" })).toBe(0);
    expect(metricValue(metrics, "forgebot_grading_queue_depth")).toBe(0);
    expect(metricValue(metrics, "forgebot_db_pool_waiting")).toBe(0);
  });

  it("while draining: /readyz fails, new updates get 503, /healthz and /metrics still answer", async () => {
    await running!.drain();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, checks: { shutdown: "draining" } });
    const refused = await sendUpdate("/help");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await scrape();
    expect(metricValue(metrics, "forgebot_http_rejected_draining_total", { path: "/hooks/telegram" })).toBe(
      1,
    );
    // Nothing ran for the refused update.
    expect(
      metricValue(metrics, "forgebot_commands_total", {
        platform: "telegram",
        command: "help",
        outcome: "ok",
      }),
    ).toBe(1);
  });
});
