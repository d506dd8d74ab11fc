// Solana in tests: real Ed25519 signatures from generated keypairs, and a loopback JSON-RPC node
// that answers getTransaction with the real mainnet transactions recorded in
// test/fixtures/solana (see SOURCES.md there).
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Keypair } from "@solana/web3.js";
import bs58 from "bs58";

// DER header of an Ed25519 private key (PKCS#8); the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** What a wallet's signMessage returns: the Ed25519 signature of `message` by `keypair`. */
export function signBytes(keypair: Keypair, message: Uint8Array): Uint8Array {
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(keypair.secretKey.subarray(0, 32))]),
    format: "der",
    type: "pkcs8",
  });
  return sign(null, message, key);
}

/** The base58 signature of a text, as a member would paste it. */
export const signText = (keypair: Keypair, text: string): string =>
  bs58.encode(signBytes(keypair, Buffer.from(text, "utf8")));

const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/solana/", import.meta.url));

/** The recorded getTransaction (jsonParsed) results, by name, with their first signatures. */
export const SOLANA_FIXTURES = {
  usdc: {
    file: "usdc-transferChecked-with-memo-ata-create.json",
    signature: "2S2rTZjaqzxYRw9mnqzwtyqitKtSsnE8GVqLn1KrD5R2YpXZnU4GdjppsgfSAbrzJfaqadfi8CtrqEBy588WVQ3E",
    /** The owner of the account that received 0.001 USDC (1000 atoms): "the treasury" in tests. */
    destinationOwner: "3i476kTBBTy7pBGx4CXwJpJ6phuwLQgcwLTdHhU3c7ui",
    /** The authority that signed the transferChecked. */
    sender: "8fusVwhgo4oS1fGpZKeRaXrJXQk9auKnAgcj9A97wR3t",
  },
  sol: {
    file: "sol-system-transfer-with-memo.json",
    signature: "5QMfuqThWSMMpLCRe3tk7qn7iSwWKfJV8EvD1ZPvyqAWa7Z2JftZ4rPq8YCxCwzSykX7dMkDB8RrovQMoL9ZZWKY",
    /** Received 1,000,000 lamports (0.001 SOL). */
    destination: "2b7iQq3PbWwWTotRSDFNXT9DauU418aCHK4jcAzETUem",
    sender: "DT1mBDFsNBc1UXa25RdxNvnjL5Lro7su7gX1zpLyCmWe",
  },
  failed: {
    file: "failed-tx-instruction-error-ata-create.json",
    signature: "7ynjNWxA4yAQGXD5U9gheTn2DGDjoCZ4MB68wm15oJqEeA2MdSze6hMABJiEkC2atJCf4QsUCXBLrYpAdeMzsFG",
  },
} as const;

export type FixtureName = keyof typeof SOLANA_FIXTURES;

/** The raw JSON-RPC `result` of a fixture. */
export function fixtureJson(name: FixtureName): Record<string, unknown> {
  return JSON.parse(readFileSync(FIXTURES_DIR + SOLANA_FIXTURES[name].file, "utf8"));
}

export interface JsonRpcRequest {
  method: string;
  params: unknown[];
}

export interface FixtureRpcServer {
  url: string;
  /** Every request received, in order. */
  requests: JsonRpcRequest[];
  /** Answers `signature` with `result` from now on (e.g. a doctored copy for one test). */
  serve(signature: string, result: unknown): void;
  close(): Promise<void>;
}

/**
 * A JSON-RPC node on 127.0.0.1 (ephemeral port) that knows the recorded transactions and nothing
 * else: getTransaction answers them, or null (what a node says before finalization).
 */
export async function startFixtureRpc(): Promise<FixtureRpcServer> {
  const known = new Map<string, unknown>();
  for (const name of Object.keys(SOLANA_FIXTURES) as FixtureName[]) {
    known.set(SOLANA_FIXTURES[name].signature, fixtureJson(name));
  }
  const requests: JsonRpcRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const call = JSON.parse(body) as { id: unknown; method: string; params: unknown[] };
      requests.push({ method: call.method, params: call.params });
      res.setHeader("content-type", "application/json");
      const answer =
        call.method === "getTransaction"
          ? { result: known.get(String(call.params[0])) ?? null }
          : { error: { code: -32601, message: `Method not found: ${call.method}` } };
      res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, ...answer }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve: (signature, result) => known.set(signature, result),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // clients keep connections alive; do not wait for them
      }),
  };
}
