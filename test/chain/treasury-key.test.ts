// The treasury key: read from the environment or a file, in both formats wallets use, and never
// shown: not in configuration errors, logs (even of the whole config), replies or serialized state.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { inspect, parseEnv } from "node:util";
import { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { afterAll, describe, expect, it } from "vitest";
import { parseTreasuryKey } from "#src/chain/treasury.ts";
import { ConfigError, loadConfig } from "#src/config.ts";
import { createLogger } from "#src/log.ts";
import { startRuntime } from "#test/helpers/bankrun.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { signText, startFixtureRpc } from "#test/helpers/solana.ts";

const treasury = Keypair.generate();
/** Every spelling of the secret that must never appear anywhere. */
const secretForms = [
  bs58.encode(treasury.secretKey),
  JSON.stringify(Array.from(treasury.secretKey)),
  Array.from(treasury.secretKey).join(","),
  Buffer.from(treasury.secretKey).toString("hex"),
  Buffer.from(treasury.secretKey).toString("base64"),
  Buffer.from(treasury.secretKey.subarray(0, 32)).toString("hex"),
  bs58.encode(treasury.secretKey.subarray(0, 32)),
];
const expectNoSecret = (text: string) => {
  for (const form of secretForms) expect(text).not.toContain(form);
};
const dir = mkdtempSync(join(tmpdir(), "forgebot-treasury-"));
const configError = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the configuration was accepted");
};

describe("loading the treasury key", () => {
  it("accepts .env.example as it is: off chain, every Solana setting empty or default", () => {
    const example = parseEnv(readFileSync(new URL("../../.env.example", import.meta.url), "utf8"));
    const config = loadConfig(example);
    expect([config.SOLANA_RPC_URL, config.SOLANA_TREASURY_KEY, config.BOT_NAME]).toEqual([
      undefined,
      undefined,
      "Forgebot",
    ]);
    expect([
      config.WITHDRAWAL_BATCH_SIZE,
      config.WITHDRAWAL_MAX_ATTEMPTS,
      config.WALLET_CHALLENGE_TTL_SECONDS,
    ]).toEqual([8, 5, 600]);
  });

  it("reads solana-keygen's JSON and a wallet's base58 export alike, from the environment or a file", () => {
    const address = treasury.publicKey.toBase58();
    expect(parseTreasuryKey(JSON.stringify(Array.from(treasury.secretKey))).publicKey.toBase58()).toBe(
      address,
    );
    expect(parseTreasuryKey(` ${bs58.encode(treasury.secretKey)}\n`).publicKey.toBase58()).toBe(address);
    const file = join(dir, "treasury.json");
    writeFileSync(file, JSON.stringify(Array.from(treasury.secretKey)));
    const config = loadConfig({ SOLANA_TREASURY_KEY_FILE: file, SOLANA_TREASURY_ADDRESS: address });
    expect(config.SOLANA_TREASURY_KEY_FILE).toBe(file);
  });

  it("refuses bad keys and settings with messages that never quote the key", () => {
    const mismatched = Uint8Array.from(treasury.secretKey);
    mismatched[40] = (mismatched[40]! + 1) % 256; // the public half no longer matches the secret half
    const problems = [
      configError({ SOLANA_TREASURY_KEY: bs58.encode(mismatched) }),
      configError({ SOLANA_TREASURY_KEY: bs58.encode(treasury.secretKey.subarray(0, 32)) }),
      configError({ SOLANA_TREASURY_KEY: JSON.stringify(Array.from(treasury.secretKey).slice(1)) }),
      configError({ SOLANA_TREASURY_KEY: `${bs58.encode(treasury.secretKey)}0` }),
      configError({ SOLANA_TREASURY_KEY: bs58.encode(treasury.secretKey), SOLANA_TREASURY_KEY_FILE: "/x" }),
      configError({
        SOLANA_TREASURY_KEY: bs58.encode(treasury.secretKey),
        SOLANA_TREASURY_ADDRESS: Keypair.generate().publicKey.toBase58(),
      }),
      configError({ SOLANA_TREASURY_KEY_FILE: join(dir, "missing.json") }),
      configError({ SOLANA_RPC_URL: "http://127.0.0.1:8899" }),
      configError({ SOLANA_RPC_URL: "ftp://node.example/?api-key=hush", SOLANA_TREASURY_ADDRESS: "x" }),
    ];
    expect(problems[0]).toContain(
      "SOLANA_TREASURY_KEY: the key's public half does not match its secret half",
    );
    expect(problems[1]).toContain("the base58 text is 32 bytes");
    expect(problems[2]).toContain("not 64 numbers");
    expect(problems[4]).toContain("not both");
    expect(problems[5]).toContain(`whose address is ${treasury.publicKey.toBase58()}`);
    expect(problems[6]).toContain("missing.json (ENOENT)");
    expect(problems[7]).toContain("a chain needs a treasury");
    expect(problems[8]).toContain("SOLANA_RPC_URL: expected an http:// or https:// URL");
    expect(problems[8]).not.toContain("hush");
    for (const problem of problems) expectNoSecret(problem);
    expectNoSecret(problems.join("\n").replaceAll(bs58.encode(mismatched), ""));
  });
});

const node = await startFixtureRpc();
afterAll(() => node.close());
const logs: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    logs.push(String(chunk));
    done();
  },
});

describeConsole(
  "the treasury key stays secret",
  (get) => {
    it("appears in no log and no reply through linking, withdrawing, sending and failures", async () => {
      const { app } = get();
      const runtime = await startRuntime({ treasury, treasuryUsdcAtoms: 10_000_000n });
      const wallet = Keypair.generate();
      const asked = await get().one(`@ann /wallet link address:${wallet.publicKey.toBase58()}`);
      const message = (asked.data as { message: string }).message;
      const records = [
        asked,
        ...(await get().run(`
          @ann /wallet verify signature:${signText(wallet, message)}
          @mod /admin credit user:@ann amount:5 token:USDC reason:test
          @ann /deposit address
          @ann /deposit verify signature:${"1".repeat(64)}
          @ann /withdraw request amount:2 token:USDC
          @ann /confirm
          @ann /withdraw request amount:2 token:USDC
          @ann /confirm
        `)),
      ];
      // A send whose answer is lost logs a warning with the error; a node that is down, too.
      const lossy = Object.create(runtime) as typeof runtime;
      lossy.sendRawTransaction = async (bytes) => {
        await runtime.sendRawTransaction(bytes);
        throw new Error("socket hang up");
      };
      await app.services.chain.sendWithdrawals(get().clock.now(), { rpc: lossy });
      await app.services.chain.sendWithdrawals(get().clock.now(), { rpc: runtime });
      await node.close();
      records.push(await get().one(`@ann /deposit verify signature:${bs58.encode(randomBytes(64))}`));
      records.push(...(await get().run("@ann /withdraw status\n@ann /wallet show\n@ann /balance")));
      // Whatever someone logs or prints by mistake: the whole config, the treasury, its signer.
      app.services.log.error({ config: app.config, treasury: app.services.chain.treasury }, "everything");
      app.services.log.error({ signer: app.services.chain.treasury?.signer }, "the signer");

      expect(records.map((r) => r.code)).toContain("chain_unavailable");
      expect((await runtime.tokenBalance(wallet.publicKey)).toString()).toBe("4000000");
      expect(logs.join("\n")).toContain("socket hang up"); // the logs did capture what happened
      expect(logs.join("\n")).toContain('"SOLANA_TREASURY_KEY":"[redacted]"');
      expectNoSecret(logs.join("\n"));
      expectNoSecret(JSON.stringify(records));
      expectNoSecret(JSON.stringify(get().notices));
      expectNoSecret(
        JSON.stringify(app.config, (_key, value) => (typeof value === "bigint" ? String(value) : value)),
      );
      expectNoSecret(inspect(app.config, { depth: 10 }));
      expectNoSecret(inspect(app.services.chain.treasury, { depth: 10 }));
      expectNoSecret(String(app.services.chain.treasury?.signer));
      expectNoSecret(inspect(await app.db.prisma.withdrawalBatch.findMany()));
    });
  },
  {
    env: { SOLANA_RPC_URL: node.url, SOLANA_TREASURY_KEY: bs58.encode(treasury.secretKey) },
    moderators: ["mod"],
    kinds: ["pglite"],
    log: createLogger("trace", capture),
  },
);
