// docs/economy.md section 2 through the console, as a creator types it: the funding table for forge web2,
// forge web3 and clones, to the atom, with the confirmation preview first; top-ups; withdrawal of the
// unreserved balance of a paused pool; the own-token VIRAL stake; and bad input of every kind.
import { expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";

const CREATE =
  '@cora /factory create name:"Shop carts" token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement state management; Test" ref:task_2';

const setup = `
  @cora /balance
  @mod /admin credit user:@cora amount:30000 token:USDC reason:grant
  @mod /admin credit user:@cora amount:2 token:SOL reason:grant
  ${CREATE}
`;

type Data = Record<string, unknown>;

const cases = [
  {
    name: "forge, web2",
    env: { FEE_POLICY: "forge", FORGE_SETUP_FEE: "250 USDC" },
    preview: {
      deposit: "20000",
      setupFee: { amount: "250", token: "USDC", separate: false },
      platformFee: "4000",
      pool: "15750",
    },
    demonstrations: "78750",
    balances: { USDC: "10000", SOL: "2" },
  },
  {
    name: "forge, web3",
    env: { FEE_POLICY: "forge", FORGE_SETUP_FEE: "1 SOL" },
    preview: {
      deposit: "20000",
      setupFee: { amount: "1", token: "SOL", separate: true },
      platformFee: "4000",
      pool: "16000",
    },
    demonstrations: "80000",
    balances: { USDC: "10000", SOL: "1" },
  },
  {
    name: "clones",
    env: { FEE_POLICY: "clones" },
    preview: {
      deposit: "20000",
      setupFee: { amount: "0", token: "USDC", separate: false },
      platformFee: "0",
      pool: "20000",
    },
    demonstrations: "100000",
    balances: { USDC: "10000", SOL: "2" },
  },
] as const;

for (const c of cases) {
  describeConsole(
    `funding a pool: ${c.name}`,
    (get) => {
      it("previews the breakdown, then moves exactly that", async () => {
        await get().run(setup);
        const preview = await get().one("@cora /pool fund factory:1 amount:20000");
        expect(preview.code).toBe("confirmation_required");
        expect((preview.data as Data).breakdown).toEqual({ token: "USDC", ...c.preview });
        expect((preview.data as Data).demonstrations).toBe(c.demonstrations);
        const done = await get().one("@cora /confirm");
        expect(done.code).toBe("ok");
        expect((done.data as { factory: Data }).factory).toMatchObject({
          balance: c.preview.pool,
          reserved: "0",
          fundedDemonstrations: c.demonstrations,
          status: "live",
          policy: c.env.FEE_POLICY,
        });
        const balances = (await get().one("@cora /balance")).data as {
          balances: Array<{ token: string; balance: string }>;
        };
        expect(Object.fromEntries(balances.balances.map((b) => [b.token, b.balance]))).toEqual(c.balances);
        expect((await auditLedger(get().app.db)).ok).toBe(true);
      });

      it("tops up under the same policy: the fee again, never a second setup fee", async () => {
        const preview = await get().one("@cora /pool fund factory:1 amount:1000");
        const expected =
          c.env.FEE_POLICY === "forge"
            ? { platformFee: "200", pool: "800" }
            : { platformFee: "0", pool: "1000" };
        expect((preview.data as { breakdown: Data }).breakdown).toMatchObject({
          ...expected,
          setupFee: { amount: "0", separate: false },
        });
        await get().one("@cora /confirm");
        const info = await get().one("@cora /factory info factory:1");
        const pool = BigInt(c.preview.pool) + BigInt(expected.pool);
        expect((info.data as { factory: Data }).factory).toMatchObject({ balance: String(pool) });
      });

      it("keeps the terms frozen on the pool when the deployment's settings change", async () => {
        const services = get().app.services;
        const before = services.config.FEE_POLICY;
        (services.config as { FEE_POLICY: string }).FEE_POLICY = before === "forge" ? "clones" : "forge";
        try {
          const info = await get().one("@cora /factory info factory:1");
          expect((info.data as { factory: Data }).factory).toMatchObject({ policy: before });
        } finally {
          (services.config as { FEE_POLICY: string }).FEE_POLICY = before;
        }
      });
    },
    { kinds: ["pglite"], moderators: ["mod"], env: c.env },
  );
}

describeConsole(
  "pool funds: who may, and withdrawal",
  (get) => {
    it("refuses anyone but the creator or a moderator, changing nothing", async () => {
      await get().run(`${setup}
        @mallory /balance
        @mod /admin credit user:@mallory amount:100 token:USDC reason:grant`);
      const refused = await get().run(`
        @mallory /pool fund factory:1 amount:10
        @mallory /pool withdraw factory:1
        @mallory /bid set factory:1 bid:5
        @mallory /factory pause factory:1
        @mallory /factory close factory:1
        @mallory /factory edit factory:1 name:"mine now"
        @mallory /factory addtask factory:1 title:x app:y objectives:z
      `);
      expect(refused.map((r) => r.code)).toEqual(Array(7).fill("forbidden"));
      expect(refused[0]!.text).toContain("creator or a moderator");
      const info = await get().one("@mallory /factory info factory:1");
      expect((info.data as { factory: Data }).factory).toMatchObject({
        name: "Shop carts",
        bid: "0.2",
        status: "out_of_funds",
        balance: "0",
      });
      // A moderator may.
      expect((await get().one("@mod /bid set factory:1 bid:0.25")).code).toBe("ok");
    });

    it("withdraws only the unreserved balance, and only when paused or closed", async () => {
      await get().run("@cora /pool fund factory:1 amount:100\n@cora /confirm");
      // Refused at the preview: nothing is offered for confirmation.
      const live = await get().run("@cora /pool withdraw factory:1 amount:10\n@cora /confirm");
      expect(live.map((r) => r.code)).toEqual(["invalid_state", "nothing_to_confirm"]);
      await get().one("@cora /factory pause factory:1");
      const over = await get().run("@cora /pool withdraw factory:1 amount:101\n@cora /confirm");
      expect(over.map((r) => r.code)).toEqual(["insufficient_funds", "nothing_to_confirm"]);
      expect(over[0]!.text).toBe(
        "Factory #1 has 100 USDC unreserved; reserved bids stay until they are graded or expire.",
      );
      const all = await get().run("@cora /pool withdraw factory:1\n@cora /confirm");
      expect(all[1]!.data).toMatchObject({ amount: "100" });
      expect((await get().one("@cora /balance token:USDC")).data).toMatchObject({
        balances: [{ balance: "30000" }],
      });
      expect((await auditLedger(get().app.db)).ok).toBe(true);
    });

    it("refuses bad input with a message that says what to do", async () => {
      const bad = await get().run(`
        @cora /pool fund factory:1 amount:-5
        @cora /pool fund factory:1 amount:0
        @cora /pool fund factory:1 amount:0.0000001
        @cora /pool fund factory:99 amount:5
        @cora /pool fund factory:1 amount:99999999
        @cora /bid set factory:1 bid:0
        @cora /factory create name:" " token:USDC bid:0.2 task:t app:a objectives:o
        @cora /factory create name:n token:NOPE bid:0.2 task:t app:a objectives:o
        @cora /factory create name:n token:USDC bid:0.2 task:t app:a objectives:" ; "
        @cora /factory create name:n token:USDC bid:0.2 task:t app:a objectives:o ref:"bad ref!"
        @cora /factory info factory:0
        @cora /factory resume factory:1
      `);
      expect(bad.map((r) => r.code)).toEqual([
        "invalid_amount",
        "invalid_amount",
        "invalid_amount",
        "not_found",
        "insufficient_funds",
        "invalid_amount",
        "missing_option",
        "unknown_token",
        "missing_option",
        "invalid_option",
        "invalid_option",
        "ok",
      ]);
      // More than the balance is refused at the preview, saying what the creator has.
      expect(bad[4]!.text).toMatch(/^Insufficient funds: [\d,.]+ USDC available, 99,999,999 USDC needed\./);
      expect(bad[4]!.text).toContain("nothing was moved");
      expect((await get().one("@cora /confirm")).code).toBe("nothing_to_confirm");
      for (const r of bad.slice(0, 11)) expect(r.text.length).toBeGreaterThan(10);
    });

    it("opens a factory in the creator's own token only with enough VIRAL staked", async () => {
      const refused = await get().one(
        "@cora /factory create name:Own token:CORA bid:1 task:t app:a objectives:o",
      );
      expect(refused.code).toBe("stake_required");
      expect(refused.text).toContain("1,000 VIRAL");
      const { ledger, db } = get().app.services;
      const cora = await db.prisma.platformAccount.findFirstOrThrow({ where: { username: "cora" } });
      const { accounts } = await import("#src/ledger/accounts.ts");
      await db.transaction((tx) =>
        ledger.transfer(tx, {
          key: "test-stake",
          debit: accounts.world("VIRAL"),
          credit: accounts.userPurpose(cora.userId, "VIRAL", "stake"),
          token: "VIRAL",
          amountAtoms: 1000n * 10n ** 9n,
          code: "test.stake",
        }),
      );
      const created = await get().one(
        "@cora /factory create name:Own token:CORA bid:1 task:t app:a objectives:o",
      );
      expect([created.code, (created.data as { factory: Data }).factory.token]).toEqual(["ok", "CORA"]);
    });
  },
  { kinds: ["pglite"], moderators: ["mod"], env: { EXTRA_TOKENS: "CORA:6" } },
);
