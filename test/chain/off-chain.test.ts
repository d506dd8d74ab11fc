// Without a Solana node configured the bot is off chain: deposits and withdrawals say so and point
// to the moderators' /admin credit and /admin debit, which keep working. With a treasury address
// but no key, deposits are verified and withdrawals refused.
import { Keypair } from "@solana/web3.js";
import { expect, it } from "vitest";
import { withdrawalsJob } from "#src/chain/withdrawals-job.ts";
import { jobs } from "#src/jobs.ts";
import { silentLogger } from "#src/log.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { signText } from "#test/helpers/solana.ts";

describeConsole(
  "off chain",
  (get) => {
    it("says the chain is not connected and that moderators move balances", async () => {
      const records = await get().run(`
        @ann /deposit address
        @ann /deposit verify signature:${"1".repeat(64)}
        @ann /withdraw request amount:1 token:USDC
        @ann /withdraw status
        @mod /admin credit user:@ann amount:3 token:USDC reason:"off-chain deposit"
        @mod /admin debit user:@ann amount:1 token:USDC reason:"off-chain withdrawal"
        @ann /balance
      `);
      expect(records.map((r) => r.code)).toEqual([
        "chain_not_connected",
        "chain_not_connected",
        "chain_not_connected",
        "ok",
        "ok",
        "ok",
        "ok",
      ]);
      for (const record of records.slice(0, 3)) {
        expect(record.text).toContain("not connected to Solana");
        expect(record.text).toContain("/admin credit");
      }
      expect(records[3]!.text).toContain("not connected to Solana");
      expect(records[6]!.data).toMatchObject({ balances: [{ token: "USDC", balance: "2" }] });
      expect(await get().app.db.prisma.withdrawal.count()).toBe(0);
    });

    it("still links wallets, and says nothing moves on chain yet", async () => {
      const wallet = Keypair.generate();
      const asked = await get().one(`@bea /wallet link address:${wallet.publicKey.toBase58()}`);
      expect(asked.text).toContain("not connected to Solana");
      const verified = await get().one(
        `@bea /wallet verify signature:${signText(wallet, (asked.data as { message: string }).message)}`,
      );
      expect([verified.code, verified.text]).toEqual(["ok", expect.stringContaining("/admin debit")]);
    });

    it("has a withdrawals job that has nothing to do", async () => {
      expect(jobs).toContain(withdrawalsJob);
      const now = get().clock.now();
      const outcome = await withdrawalsJob.run({
        period: { key: "2026-01-01T00:00", start: now, end: now },
        key: "withdrawals:2026-01-01T00:00",
        services: get().app.services,
        log: silentLogger,
        now,
      });
      expect(outcome.summary).toContain("not connected");
    });
  },
  { moderators: ["mod"], kinds: ["pglite"] },
);

describeConsole(
  "a watch-only treasury (its address, not its key)",
  (get) => {
    it("shows where to deposit but refuses withdrawals", async () => {
      const records = await get().run(`
        @ann /deposit address
        @ann /withdraw request amount:1 token:USDC
      `);
      expect(records.map((r) => r.code)).toEqual(["ok", "withdrawals_disabled"]);
      expect(records[1]!.text).toContain("/admin debit");
    });
  },
  {
    env: {
      SOLANA_RPC_URL: "http://127.0.0.1:9",
      SOLANA_TREASURY_ADDRESS: Keypair.generate().publicKey.toBase58(),
    },
    kinds: ["pglite"],
  },
);
