// The deposit reader on real mainnet transactions, fetched through @solana/web3.js's Connection
// from a loopback JSON-RPC node that serves the recordings.
import { Keypair, PublicKey } from "@solana/web3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectDeposit } from "#src/chain/deposit-inspection.ts";
import { depositReference, findDepositReference } from "#src/chain/deposit-reference.ts";
import { ConnectionRpc } from "#src/chain/rpc.ts";
import { DEFAULT_TOKENS } from "#src/ledger/tokens.ts";
import {
  type FixtureRpcServer,
  fixtureJson,
  SOLANA_FIXTURES,
  startFixtureRpc,
} from "#test/helpers/solana.ts";

const { usdc, sol, failed } = SOLANA_FIXTURES;
const USDC = DEFAULT_TOKENS.find((t) => t.symbol === "USDC")!;
const SOL = DEFAULT_TOKENS.find((t) => t.symbol === "SOL")!;

describe("reading a finalized transaction as a deposit", () => {
  let server: FixtureRpcServer;
  let rpc: ConnectionRpc;
  beforeAll(async () => {
    server = await startFixtureRpc();
    rpc = new ConnectionRpc(server.url);
  });
  afterAll(() => server.close());

  const inspect = async (
    signature: string,
    treasury: string,
    extra: { token?: typeof USDC; tokens?: typeof DEFAULT_TOKENS } = {},
  ) =>
    inspectDeposit(signature, await rpc.getParsedTransaction(signature), {
      treasury: new PublicKey(treasury),
      tokens: extra.tokens ?? DEFAULT_TOKENS,
      ...(extra.token ? { token: extra.token } : {}),
    });

  it("asks the node for the finalized transaction, any version, parsed", async () => {
    await rpc.getParsedTransaction(usdc.signature);
    expect(server.requests.at(-1)).toEqual({
      method: "getTransaction",
      params: [
        usdc.signature,
        { encoding: "jsonParsed", commitment: "finalized", maxSupportedTransactionVersion: 0 },
      ],
    });
  });

  it("reads a USDC transferChecked into the treasury's token account", async () => {
    const found = await inspect(usdc.signature, usdc.destinationOwner);
    expect(found).toMatchObject({
      token: USDC,
      amountAtoms: 1000n,
      senders: [usdc.sender],
      memos: ["transfer"],
      slot: 184930610n,
    });
    expect(found.blockTime?.toISOString()).toBe("2023-03-27T06:50:45.000Z");
  });

  it("reads a SOL transfer into the treasury from lamport balances", async () => {
    const found = await inspect(sol.signature, sol.destination);
    expect(found).toMatchObject({
      token: SOL,
      amountAtoms: 1_000_000n,
      senders: [sol.sender],
      memos: ["transfer"],
    });
  });

  it("takes amounts from the integer balances, never the float fields", async () => {
    const doctored = fixtureJson("usdc") as {
      meta: { postTokenBalances: Array<{ uiTokenAmount: Record<string, unknown> }> };
    };
    for (const balance of doctored.meta.postTokenBalances) {
      Object.assign(balance.uiTokenAmount, { uiAmount: 123456.789, uiAmountString: "123456.789" });
    }
    const signature = Keypair.generate().publicKey.toBase58();
    server.serve(signature, doctored);
    expect((await inspect(signature, usdc.destinationOwner)).amountAtoms).toBe(1000n);
  });

  it("refuses what is not a deposit into the treasury, each with its reason", async () => {
    const someoneElse = Keypair.generate().publicKey.toBase58();
    await expect(inspect("1".repeat(64), usdc.destinationOwner)).rejects.toMatchObject({
      code: "deposit_not_found",
    });
    await expect(inspect(failed.signature, usdc.destinationOwner)).rejects.toMatchObject({
      code: "deposit_failed",
      message: expect.stringContaining("ProgramFailedToComplete"),
    });
    await expect(inspect(usdc.signature, someoneElse)).rejects.toMatchObject({
      code: "wrong_destination",
      message: expect.stringContaining(`owned by ${usdc.destinationOwner}`),
    });
    await expect(inspect(sol.signature, someoneElse)).rejects.toMatchObject({
      code: "wrong_destination",
      message: expect.stringContaining(sol.destination),
    });
    await expect(inspect(usdc.signature, usdc.destinationOwner, { token: SOL })).rejects.toMatchObject({
      code: "wrong_mint",
      message: expect.stringContaining("in USDC, not SOL"),
    });
    // A bot whose USDC is another mint: the real USDC sent is a token it does not accept.
    const otherUsdc = [{ ...USDC, mint: Keypair.generate().publicKey.toBase58() }, SOL];
    await expect(inspect(usdc.signature, usdc.destinationOwner, { tokens: otherUsdc })).rejects.toMatchObject(
      {
        code: "wrong_mint",
        message: expect.stringContaining(USDC.mint!),
      },
    );
    // The treasury's lamports in the USDC transaction did not change: no SOL deposit either.
    await expect(inspect(usdc.signature, usdc.sender)).rejects.toMatchObject({ code: "wrong_destination" });
  });
});

describe("deposit references", () => {
  it("round-trips every member id and refuses a mistyped one", () => {
    for (const id of [1, 7, 35, 36, 1295, 123_456_789]) {
      const reference = depositReference(id);
      expect(findDepositReference([`thanks ${reference.toLowerCase()}!`])).toBe(id);
      const typo = reference.replace(/-(.)/, (_, c: string) => `-${c === "1" ? "2" : "1"}`);
      expect(findDepositReference([typo])).toBeUndefined();
    }
    expect(findDepositReference(["transfer", ""])).toBeUndefined();
  });
});
