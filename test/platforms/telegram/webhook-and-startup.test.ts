// Telegram at the HTTP edge, over real HTTP on loopback: the webhook answers junk with a client
// error (400 for a body that is not a JSON update, 401 without the secret) and logs no error; and
// when Telegram cannot be reached at start-up, every failed call is logged with its reason and
// retried with a bounded wait, and start-up stops with a clear message after the last attempt.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "#src/log.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import {
  type FakeTelegram,
  methodOf,
  startFakeTelegram,
  TELEGRAM_TOKEN,
} from "#test/helpers/fake-telegram.ts";
import { Loopback } from "#test/helpers/loopback.ts";
import { textMessage } from "#test/helpers/telegram-updates.ts";

const SECRET = "a-webhook-secret-for-tests_123456";

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return {
    logger: createLogger("debug", stream),
    entries: () =>
      lines.map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string; attempt?: number }),
    text: () => lines.join(""),
  };
}

describe("Telegram's webhook refuses what is not an update with a client error", () => {
  const log = memoryLog();
  let test: TestApp;
  let telegram: FakeTelegram;
  let running: RunningFrontEnds | undefined;
  let url = "";

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
      },
    });
    running = await startFrontEnds(test.app, log.logger);
    url = `http://127.0.0.1:${running!.httpPort}/hooks/telegram`;
  });

  afterAll(async () => {
    await running?.stop();
    await telegram?.close();
    await test?.close();
  });

  const post = (body: string, secret: string | null = SECRET) =>
    fetch(url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
      },
    });

  it("answers 400 to a body that is not JSON or not an update, and 401 to one without the secret", async () => {
    const mark = telegram.api.requests.length;
    const answers = [
      await post("this is not json"),
      await post("{"),
      await post("null"),
      await post("[1]"),
      await post('{"message":{}}'),
      await post('{"update_id":"7"}'),
      await post("this is not json", "the-wrong-secret-entirely-000000"),
      await post("this is not json", null),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400, 401, 401]);
    expect(await answers[0]!.json()).toEqual({ error: "body is not JSON" });
    expect((await fetch(url)).status).toBe(405);
    expect(telegram.api.since(mark)).toEqual([]);
    expect(log.entries().filter((e) => e.level >= 50)).toEqual([]);
  });

  it("still handles a real update with the secret", async () => {
    const mark = telegram.api.requests.length;
    const answer = await post(JSON.stringify(textMessage({ id: 218485604, first_name: "Eve" }, "/balance")));
    expect(answer.status).toBe(200);
    const replies = telegram.api.since(mark).filter((r) => methodOf(r) === "sendMessage");
    expect(replies.map((r) => String(r.body!.text))).toEqual(["You have no balance yet."]);
  });
});

describe("Telegram unreachable at start-up", () => {
  let test: TestApp;
  let telegram: FakeTelegram;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    telegram = await startFakeTelegram();
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  afterAll(async () => {
    await telegram?.close();
  });

  async function appFor(apiRoot: string) {
    test = await createTestApp("pglite", {
      env: { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_API_ROOT: apiRoot },
    });
    closers.push(() => test.close());
    return test.app;
  }

  const retry = { attempts: 4, firstDelayMs: 50, maxDelayMs: 100, callTimeoutMs: 400 };

  it("retries a Telegram that does not answer, logging each failure with why, then starts", {
    timeout: 30_000,
  }, async () => {
    // The first two getMe calls are never answered (a network that drops them); then Telegram is back.
    let getMeCalls = 0;
    const flaky = await Loopback.start(async (request) => {
      if (methodOf(request) === "getMe" && ++getMeCalls <= 2) return new Promise(() => {});
      const response = await fetch(`${telegram.apiRoot}${request.path}`, {
        method: request.method,
        headers: { "content-type": "application/json" },
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      });
      return { status: response.status, body: await response.json() };
    });
    closers.push(() => flaky.close());
    const log = memoryLog();
    const running = await startFrontEnds(await appFor(flaky.url), log.logger, { telegramStartup: retry });
    closers.push(async () => running?.stop());
    expect(running!.names).toEqual(["telegram (polling)"]);
    const warnings = log.entries().filter((e) => e.msg === "Telegram not reachable at start-up; retrying");
    expect(warnings).toEqual([
      expect.objectContaining({ level: 40, attempt: 1, reason: "no answer within 0.4 s" }),
      expect.objectContaining({ level: 40, attempt: 2, reason: "no answer within 0.4 s" }),
    ]);
    expect(getMeCalls).toBe(3);
    expect(log.text()).not.toContain(TELEGRAM_TOKEN);
  });

  it("stops with a clear message after the last attempt when nothing listens", {
    timeout: 30_000,
  }, async () => {
    // A port that refuses connections: bound, then closed.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const log = memoryLog();
    const started = Date.now();
    const failure = await startFrontEnds(await appFor(`http://127.0.0.1:${port}`), log.logger, {
      telegramStartup: retry,
    }).catch((error: unknown) => error as Error);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `Telegram could not be reached at http://127.0.0.1:${port} for getMe after 4 attempts ` +
        "(last: ECONNREFUSED: request to http://127.0.0.1:" +
        `${port}/bot***/getMe failed, reason: connect ECONNREFUSED 127.0.0.1:${port}). ` +
        "Check the network and TELEGRAM_API_ROOT, then start the bot again.",
    );
    const warnings = log.entries().filter((e) => e.msg === "Telegram not reachable at start-up; retrying");
    expect(warnings.map((w) => [w.attempt, w.reason])).toEqual(
      [1, 2, 3].map((attempt) => [attempt, expect.stringContaining("ECONNREFUSED")]),
    );
    expect(log.text() + (failure as Error).message).not.toContain(TELEGRAM_TOKEN);
  });
});
