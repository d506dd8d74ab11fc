// A creator's own token through the console (docs/economy.md section 2): VIRAL staked with /stake,
// the token registered with /token register, a factory paying in it, the VIRAL stake locked while
// that factory is open and cooling down like CLONES once it is closed; and the mint's decimals
// checked against a real SPL Token mint in an in-process Solana runtime.
import { Keypair } from "@solana/web3.js";
import { expect, it } from "vitest";
import { unstakeReleaseJob } from "#src/economy/ambassadors/unstake-release-job.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { type BankrunRpc, startRuntime } from "#test/helpers/bankrun.ts";
import { describeConsole } from "#test/helpers/console.ts";

const DAY_MS = 86_400_000;
const VIRAL = 10n ** 9n;

describeConsole(
  "a creator's own token",
  (get) => {
    const viralOf = async (user: string, purpose: "main" | "stake" | "cooldown") => {
      const { identity, ledger, db } = get().app.services;
      const who = await identity.findByPlatformId(db.prisma, "console", user);
      const account =
        purpose === "main"
          ? accounts.user(who!.userId, "VIRAL")
          : accounts.userPurpose(who!.userId, "VIRAL", purpose);
      return (await ledger.balance(db.prisma, account)).balanceAtoms;
    };

    it("refuses to register a token before the VIRAL stake, and stakes VIRAL with /stake", async () => {
      const h = get();
      const early = await h.one("@cora /token register symbol:CORA decimals:6");
      expect([early.code, early.text]).toEqual([
        "stake_required",
        expect.stringContaining("/stake add amount:1000 token:VIRAL"),
      ]);
      expect(await h.app.db.prisma.token.count({ where: { symbol: "CORA" } })).toBe(0);
      const poor = await h.one("@cora /stake add amount:1000 token:VIRAL");
      expect(poor.code).toBe("insufficient_funds");
      await h.one("@mod /admin credit user:@cora amount:1500 token:VIRAL reason:grant");
      const staked = await h.one("@cora /stake add amount:1500 token:VIRAL");
      expect([staked.code, staked.data]).toEqual([
        "ok",
        expect.objectContaining({ token: "VIRAL", amount: "1500", staked: "1500" }),
      ]);
      // VIRAL is not CLONES: the ambassador tier does not move.
      const status = await h.one("@cora /stake status");
      expect(status.data).toMatchObject({ staked: "0", tier: 0, viral: { staked: "1500", cooling: "0" } });
      expect(status.text).toContain("VIRAL staked for a token of your own: 1,500 VIRAL");
      expect(await viralOf("cora", "stake")).toBe(1500n * VIRAL);
    });

    it("registers the token off chain, refusing what it cannot check or is taken", async () => {
      const h = get();
      const bad = await h.run(`
        @cora /token register symbol:CORA decimals:6 mint:${Keypair.generate().publicKey.toBase58()}
        @cora /token register symbol:USDC decimals:6
        @cora /token register symbol:c decimals:6
        @nobody /token register symbol:NOPE decimals:6
      `);
      expect(bad.map((r) => r.code)).toEqual([
        "chain_not_connected",
        "token_exists",
        "invalid_token",
        "stake_required",
      ]);
      expect(bad[0]!.text).toContain("register the token without mint:");
      const done = await h.one("@cora /token register symbol:cora decimals:6");
      expect([done.code, done.data]).toEqual(["ok", { symbol: "CORA", decimals: 6, mint: null }]);
      const cora = await h.app.services.identity.findByPlatformId(h.app.db.prisma, "console", "cora");
      expect(await h.app.db.prisma.token.findUnique({ where: { symbol: "CORA" } })).toMatchObject({
        decimals: 6,
        ownerUserId: cora!.userId,
      });
      expect((await h.one("@cora /token register symbol:CORA decimals:6")).code).toBe("token_exists");
      expect((await h.one("@cora /token list")).text).toContain(
        `CORA: 6 decimals, member #${cora!.userId}'s own`,
      );
    });

    it("locks the VIRAL stake while a factory in the creator's token is open, and frees it once closed", async () => {
      const h = get();
      const created = await h.one(
        "@cora /factory create name:Own token:CORA bid:1 task:t app:a objectives:o",
      );
      expect(created.code).toBe("ok");
      const id = (created.data as { factory: { id: number } }).factory.id;
      // What is above the 1,000 the factory needs may leave; the 1,000 may not.
      const free = await h.one("@cora /stake remove amount:500 token:VIRAL");
      expect([free.code, free.data]).toEqual([
        "ok",
        expect.objectContaining({ token: "VIRAL", staked: "1000" }),
      ]);
      const before = await viralOf("cora", "stake");
      const locked = await h.one("@cora /stake remove amount:1 token:VIRAL");
      expect([locked.code, locked.text]).toEqual([
        "stake_locked",
        `1,000 VIRAL of your VIRAL stake is locked: your factory #${id} (CORA) pays in your own token and is open. You can unstake 0 VIRAL now; close those factories (/factory close) to free the rest.`,
      ]);
      expect(await viralOf("cora", "stake")).toBe(before);
      // Paused is still open: it can be resumed and pay again.
      await h.one(`@cora /factory pause factory:${id}`);
      expect((await h.one("@cora /stake remove amount:1000 token:VIRAL")).code).toBe("stake_locked");
      await h.one(`@cora /factory close factory:${id}`);
      const out = await h.one("@cora /stake remove amount:1000 token:VIRAL");
      expect(out.code).toBe("ok");
      expect(out.text).toContain("They cool down until");
      expect(out.text).not.toContain("count for your tier");
      expect(await viralOf("cora", "cooldown")).toBe(1500n * VIRAL); // with the 500 from before
      // The same cooldown as CLONES: nothing returns a day early, everything on the day.
      const release = (key: string) =>
        unstakeReleaseJob.run({
          period: { key, start: h.clock.now(), end: h.clock.now() },
          key: `unstake-releases:${key}`,
          services: h.app.services,
          log: silentLogger,
          now: h.clock.now(),
        });
      h.clock.advance(6 * DAY_MS);
      expect((await release("own-1")).data).toEqual({ released: 0, atoms: "0" });
      h.clock.advance(DAY_MS);
      const done = await release("own-2");
      expect(done.summary).toBe("2 unstakes released, 0 CLONES and 1,500 VIRAL in all.");
      expect(await viralOf("cora", "main")).toBe(1500n * VIRAL);
      expect((await auditLedger(h.app.db)).ok).toBe(true);
    });

    it("opens no new factory in the own token once the stake is gone", async () => {
      const h = get();
      const r = await h.one("@cora /factory create name:Again token:CORA bid:1 task:t app:a objectives:o");
      expect([r.code, r.text]).toEqual(["stake_required", expect.stringContaining("token:VIRAL")]);
    });
  },
  { moderators: ["mod"] },
);

describeConsole(
  "a creator's own token checked against its mint on chain",
  (get) => {
    let runtime: BankrunRpc;
    const mint = Keypair.generate().publicKey;
    const wallet = Keypair.generate().publicKey;

    it("requires the mint, and registers only the decimals the mint has", async () => {
      const h = get();
      runtime = await startRuntime({
        treasury: Keypair.generate(),
        treasuryUsdcAtoms: 0n,
        mints: [{ address: mint, decimals: 6 }],
      });
      // The bot reads mints from the node; here the node is the in-process runtime.
      h.app.services.chain.mintReader = runtime;
      await h.one("@dan /balance");
      await h.one("@mod /admin credit user:@dan amount:1000 token:VIRAL reason:grant");
      expect((await h.one("@dan /stake add amount:1000 token:VIRAL")).code).toBe("ok");
      const bad = await h.run(`
        @dan /token register symbol:DAN decimals:6
        @dan /token register symbol:DAN decimals:9 mint:${mint.toBase58()}
        @dan /token register symbol:DAN decimals:6 mint:${wallet.toBase58()}
        @dan /token register symbol:DAN decimals:6 mint:not-an-address
      `);
      expect(bad.map((r) => r.code)).toEqual([
        "missing_option",
        "decimals_mismatch",
        "not_a_mint",
        "invalid_option",
      ]);
      expect(bad[1]!.text).toBe(
        `The mint ${mint.toBase58()} has 6 decimals on chain, not 9. Register it with decimals:6.`,
      );
      expect(await h.app.db.prisma.token.count({ where: { symbol: "DAN" } })).toBe(0);
      const done = await h.one(`@dan /token register symbol:DAN decimals:6 mint:${mint.toBase58()}`);
      expect([done.code, done.data]).toEqual(["ok", { symbol: "DAN", decimals: 6, mint: mint.toBase58() }]);
      expect(h.app.services.tokens.get("DAN")).toEqual({ symbol: "DAN", decimals: 6, mint: mint.toBase58() });
      // The same mint under another symbol is refused.
      const twice = await h.one(`@dan /token register symbol:DAN2 decimals:6 mint:${mint.toBase58()}`);
      expect([twice.code, twice.text]).toEqual(["token_exists", expect.stringContaining("as DAN")]);
    });
  },
  { moderators: ["mod"], kinds: ["pglite"] },
);
