// Which settings are secret is declared with each setting, not guessed from its name: a declared
// secret's value is censored wherever it appears in a log line, the credentials inside any URL
// setting never reach the logs, configuration errors or chat replies, and a setting that only looks
// like a secret (ARENA_TOKEN, a token symbol) is logged like any other.
import { Writable } from "node:stream";
import { Keypair } from "@solana/web3.js";
import { describe, expect, it } from "vitest";
import { command } from "#commands/_kit.ts";
import { ConfigError, loadConfig, secretSettingNames, secretValues } from "#src/config.ts";
import { UserError } from "#src/core/errors.ts";
import { createLogger } from "#src/log.ts";
import { createTestApp } from "#test/helpers/app.ts";
import { BOT_TOKEN } from "#test/helpers/fake-discord.ts";
import { TELEGRAM_TOKEN } from "#test/helpers/fake-telegram.ts";

function capturedLogger(env: Record<string, string>) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger("trace", stream, secretValues(loadConfig(env)));
  return { logger, text: () => lines.join("") };
}

const RPC_KEY = "3f1c9e0a-77b2-4c55-9d1e-8a2b6c4d0e1f";
const RPC_URL = `https://mainnet.helius-rpc.com/?api-key=${RPC_KEY}`;
const TREASURY = Keypair.generate();

/** A valid value for every setting declared secret. */
const SECRET_ENV: Record<string, string> = {
  DISCORD_TOKEN: BOT_TOKEN,
  TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
  TELEGRAM_WEBHOOK_SECRET: "webhook-secret_0123456789abcdef",
  GRADER_TOKEN: "grader-bearer-token-42x",
  METRICS_TOKEN: "metrics-scrape-token-0123456789",
  SOLANA_RPC_URL: RPC_URL,
  SOLANA_TREASURY_KEY: JSON.stringify(Array.from(TREASURY.secretKey)),
};

describe("secret settings", () => {
  it("are the ones declared secret, whatever their names say", () => {
    expect(secretSettingNames().sort()).toEqual(Object.keys(SECRET_ENV).sort());
    expect(secretSettingNames()).not.toContain("ARENA_TOKEN");
    expect(secretSettingNames()).not.toContain("DISCORD_PUBLIC_KEY");
  });

  it("censors every declared secret's value wherever it appears in a log line", () => {
    const log = capturedLogger(SECRET_ENV);
    for (const [name, value] of Object.entries(SECRET_ENV)) {
      log.logger.info(`${name} is ${value}`);
      log.logger.warn(
        { detail: { innocent: value }, url: `https://x.example/p?q=${encodeURIComponent(value)}` },
        name,
      );
      log.logger.error({ err: new Error(`request with ${value} failed`) }, "failed");
    }
    const text = log.text();
    expect(text).toContain("[redacted]");
    for (const [name, value] of Object.entries(SECRET_ENV)) {
      expect({ name, leaked: text.includes(value) }).toEqual({ name, leaked: false });
      expect({ name, leaked: text.includes(encodeURIComponent(value)) }).toEqual({ name, leaked: false });
    }
  });

  it("keeps an RPC URL's key out of the logs, whole or in part", () => {
    const log = capturedLogger({
      SOLANA_RPC_URL: RPC_URL,
      SOLANA_TREASURY_ADDRESS: TREASURY.publicKey.toBase58(),
    });
    log.logger.info({ endpoint: RPC_URL }, "chain connected");
    log.logger.warn(`POST ${RPC_URL.replace("?", "?commitment=finalized&")} answered 429`);
    log.logger.warn({ err: new Error(`invalid api key ${RPC_KEY}`) }, "rpc refused");
    log.logger.info({ node: "https://solana-mainnet.g.alchemy.com/v2/AlchemyKey123456" }, "fallback node");
    const text = log.text();
    expect(text).not.toContain(RPC_KEY);
    expect(text).not.toContain("AlchemyKey123456");
    expect(text).toContain("mainnet.helius-rpc.com");
    expect(text).toContain("https://solana-mainnet.g.alchemy.com/v2/***");
  });

  it("logs ARENA_TOKEN, a token symbol, like any other setting", () => {
    const log = capturedLogger({ ARENA_TOKEN: "FORGETOKEN" });
    log.logger.info({ token: "FORGETOKEN", arena: { token: "FORGETOKEN" } }, "the arena pays FORGETOKEN");
    const line = JSON.parse(log.text()) as Record<string, unknown>;
    expect(line).toMatchObject({
      token: "FORGETOKEN",
      arena: { token: "FORGETOKEN" },
      msg: "the arena pays FORGETOKEN",
    });
    expect(secretValues(loadConfig({ ARENA_TOKEN: "FORGETOKEN" }))).toEqual([]);
  });
});

describe("configuration errors", () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return "";
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.message;
    }
  };

  it("show a bad GRADER_URL without its key", () => {
    const message = problems({ GRADER_URL: "ftp://grader.example/grade?api-key=sk-live-0123456789" });
    expect(message).toContain(
      'GRADER_URL: expected an http:// or https:// URL (got "ftp://grader.example/grade?api-key=***")',
    );
    expect(message).not.toContain("sk-live-0123456789");
  });

  it("show a rejected setting that is not secret, even when its name says KEY", () => {
    expect(problems({ DISCORD_PUBLIC_KEY: "xyz" })).toContain(
      'DISCORD_PUBLIC_KEY: expected 64 hexadecimal characters (got "xyz")',
    );
  });

  it("never show a declared secret", () => {
    const message = problems({ SOLANA_RPC_URL: "ftp://rpc.example/plain-secret-path", GRADER_TOKEN: "" });
    expect(message).toContain(
      "SOLANA_RPC_URL: expected an http:// or https:// URL (got a value that is not shown because it is secret)",
    );
    expect(message).not.toContain("plain-secret-path");
  });
});

describe("chat replies", () => {
  it("show no URL's credentials, in an answer or in an error", async () => {
    const leaky = command({
      name: "nodes",
      description: "Test: answers with the URL of a node",
      options: { fail: { type: "boolean", description: "Fail instead" } },
      handler: (_ctx, args) => {
        if (args.fail) throw new UserError("node_down", `The node ${RPC_URL} did not answer.`);
        return {
          title: "Node",
          text: `Using ${RPC_URL}`,
          fields: [{ name: "Database", value: "postgres://forge:hunter2@db/x" }],
        };
      },
    });
    const test = await createTestApp("pglite", { extraCommands: [leaky] });
    try {
      const user = { platform: "console" as const, id: "alice", displayName: "alice" };
      const answer = await test.app.dispatcher.dispatch({
        platform: "console",
        eventId: "1",
        user,
        path: ["nodes"],
        options: {},
      });
      const failure = await test.app.dispatcher.dispatch({
        platform: "console",
        eventId: "2",
        user,
        path: ["nodes"],
        options: { fail: "true" },
      });
      expect(answer.reply).toMatchObject({
        text: "Using https://mainnet.helius-rpc.com/?api-key=***",
        fields: [{ name: "Database", value: "postgres://forge:***@db/x" }],
      });
      expect(failure.reply.text).toBe("The node https://mainnet.helius-rpc.com/?api-key=*** did not answer.");
    } finally {
      await test.close();
    }
  });
});
