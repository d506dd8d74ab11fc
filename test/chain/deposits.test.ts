// Deposits through the console, verified against real mainnet transactions served by a loopback
// JSON-RPC node; the fixtures' real destinations act as the treasury.
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { afterAll, expect, it } from "vitest";
import { depositReference } from "#src/chain/deposit-reference.ts";
import type { Actor } from "#src/core/context.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { fixtureJson, SOLANA_FIXTURES, startFixtureRpc } from "#test/helpers/solana.ts";

const { usdc, sol, failed } = SOLANA_FIXTURES;
const node = await startFixtureRpc();
afterAll(() => node.close());

/** A mainnet wallet we cannot sign for, linked as a test's setup (linking is tested with real keys elsewhere). */
async function linkRecordedWallet(get: () => ConsoleHarness, user: string, address: string) {
  await get().one(`@${user} /balance`); // the member exists once they have run a command
  const { userId } = (await get().app.services.identity.findByPlatformId(
    get().app.db.prisma,
    "console",
    user,
  ))!;
  await get().app.db.prisma.wallet.create({ data: { address, userId, linkedAt: get().clock.now() } });
  return userId;
}

describeConsole(
  "deposits of USDC, verified on chain",
  (get) => {
    it("shows the treasury and the member's reference", async () => {
      const shown = await get().one("@alice /deposit address");
      expect(shown.code).toBe("ok");
      expect(shown.data).toMatchObject({
        treasury: usdc.destinationOwner,
        reference: expect.stringMatching(/^FB-/),
      });
      expect(shown.text).toContain(usdc.destinationOwner);
    });

    it("refuses what it cannot credit, with the reason, changing nothing", async () => {
      const records = await get().run(`
        @alice /deposit verify signature:${"1".repeat(64)}
        @alice /deposit verify signature:${failed.signature}
        @alice /deposit verify signature:${usdc.signature}
        @alice /deposit verify signature:${sol.signature}
        @alice /deposit verify signature:nonsense-nonsense-nonsense-nonsense
      `);
      expect(records.map((r) => r.code)).toEqual([
        "deposit_not_found",
        "deposit_failed",
        "unlinked_wallet", // 8fusV… sent it, linked to no one, and the memo ("transfer") is no reference
        "wrong_destination", // the SOL transfer paid someone else
        "invalid_signature",
      ]);
      expect(records[2]!.text).toContain(usdc.sender);
      expect(await get().app.db.prisma.deposit.count()).toBe(0);
      expect((await get().one("@alice /balance")).data).toEqual({ balances: [] });
    });

    it("credits the member whose linked wallet paid, once per signature", async () => {
      const aliceId = await linkRecordedWallet(get, "alice", usdc.sender);
      // Bob verifies it: the money is Alice's, so it goes to her, and she is told.
      const byBob = await get().one(`@bob /deposit verify signature:${usdc.signature}`);
      expect([byBob.code, byBob.data]).toEqual([
        "ok",
        {
          signature: usdc.signature,
          token: "USDC",
          amount: "0.001",
          creditedToYou: false,
          matchedBy: "wallet",
          slot: "184930610",
        },
      ]);
      expect(get().notices.at(-1)).toMatchObject({
        to: "to @alice",
        text: expect.stringContaining("0.001 USDC"),
      });
      const again = await get().run(`
        @alice /deposit verify signature:${usdc.signature}
        @bob /deposit verify signature:${usdc.signature} token:USDC
        @alice /balance
        @alice /history
      `);
      expect(again.map((r) => r.code)).toEqual(["already_credited", "already_credited", "ok", "ok"]);
      expect(again[0]!.text).toContain("already credited to you");
      expect(again[2]!.data).toEqual({
        balances: [{ token: "USDC", purpose: "main", balance: "0.001", reserved: "0", available: "0.001" }],
      });
      expect(again[3]!.text).toContain("deposit from Solana");
      const deposit = await get().app.db.prisma.deposit.findUniqueOrThrow({
        where: { signature: usdc.signature },
      });
      expect([deposit.userId, deposit.amount.toFixed(), deposit.sender, deposit.slot]).toEqual([
        aliceId,
        "1000",
        usdc.sender,
        184930610n,
      ]);
      const audit = await auditLedger(get().app.db);
      expect(audit.ok).toBe(true);
      expect(audit.tokens.find((t) => t.token === "USDC")?.outsideAtoms).toBe(1000n);
    });

    it("credits the member the memo's reference names, from any wallet", async () => {
      // The recorded USDC transfer with its memo ("transfer") replaced by a reference: what an
      // exchange withdrawal with a memo looks like. Served under signatures of its own.
      const withMemo = (memo: string) => {
        const tx = fixtureJson("usdc") as {
          transaction: { message: { instructions: Array<{ program: string; parsed: unknown }> } };
        };
        for (const ix of tx.transaction.message.instructions) if (ix.program === "spl-memo") ix.parsed = memo;
        const signature = bs58.encode(randomBytes(64));
        node.serve(signature, tx);
        return signature;
      };
      await get().one("@dan /balance");
      const dan = (await get().app.services.identity.findByPlatformId(
        get().app.db.prisma,
        "console",
        "dan",
      ))!;
      const toDan = withMemo(`deposit ${depositReference(dan.userId)}`);
      const toNobody = withMemo(depositReference(9999));
      const records = await get().run(`
        @eve /deposit verify signature:${toNobody}
        @eve /deposit verify signature:${toDan}
        @dan /balance
      `);
      expect(records.map((r) => r.code)).toEqual(["unknown_reference", "ok", "ok"]);
      expect(records[1]!.data).toMatchObject({ matchedBy: "memo", creditedToYou: false, amount: "0.001" });
      expect(records[2]!.data).toMatchObject({ balances: [{ token: "USDC", balance: "0.001" }] });
    });
  },
  { env: { SOLANA_RPC_URL: node.url, SOLANA_TREASURY_ADDRESS: usdc.destinationOwner } },
);

describeConsole(
  "deposits of SOL, verified on chain",
  (get) => {
    it("credits lamports received by the treasury itself", async () => {
      await linkRecordedWallet(get, "carol", sol.sender);
      const records = await get().run(`
        @carol /deposit verify signature:${sol.signature} token:USDC
        @carol /deposit verify signature:${sol.signature}
        @carol /deposit verify signature:${usdc.signature}
      `);
      expect(records.map((r) => r.code)).toEqual(["wrong_mint", "ok", "wrong_destination"]);
      expect(records[1]!.data).toMatchObject({
        token: "SOL",
        amount: "0.001",
        creditedToYou: true,
        balance: "0.001",
      });
    });
  },
  { env: { SOLANA_RPC_URL: node.url, SOLANA_TREASURY_ADDRESS: sol.destination }, kinds: ["pglite"] },
);

describeConsole(
  "the same signature verified at once by many",
  (get) => {
    it("credits it exactly once", async () => {
      const ownerId = await linkRecordedWallet(get, "owner", usdc.sender);
      const actors: Actor[] = [];
      for (let i = 0; i < 8; i++) {
        const user = await get().app.services.identity.ensureUser({
          platform: "console",
          id: `racer${i}`,
          displayName: `racer${i}`,
        });
        actors.push({ ...user, isModerator: false, platform: "console", platformUserId: `racer${i}` });
      }
      const outcomes = await Promise.allSettled(
        actors.map((actor, i) =>
          get().app.services.chain.deposits.verify({
            actor,
            key: `race-${i}`,
            signature: usdc.signature,
            now: get().clock.now(),
          }),
        ),
      );
      const credited = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.flatMap((o) =>
        o.status === "rejected" ? [(o.reason as { code?: string }).code] : [],
      );
      expect(credited).toHaveLength(1);
      expect(refused).toEqual(Array(7).fill("already_credited"));
      const balance = await get().app.services.ledger.balance(
        get().app.db.prisma,
        accounts.user(ownerId, "USDC"),
      );
      expect(balance.balanceAtoms).toBe(1000n);
      expect(await get().app.db.prisma.deposit.count()).toBe(1);
      expect((await auditLedger(get().app.db)).ok).toBe(true);
    });
  },
  { env: { SOLANA_RPC_URL: node.url, SOLANA_TREASURY_ADDRESS: usdc.destinationOwner }, kinds: ["postgres"] },
);
