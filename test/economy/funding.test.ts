// docs/economy.md section 2 through the console, as a creator types it: the funding table for forge web2,
// forge web3 and clones, to the atom, with the confirmation preview first; both setup-fee kinds
// chosen per factory in one database, and the preview that refuses a web3 fee the creator cannot
// pay; top-ups; withdrawal of the unreserved balance of a paused pool; the own-token VIRAL stake;
// and bad input of every kind.
import { expect, it } from "vitest";
import { auditLedger } from "#src/ledger/audit.ts";
import { describeConsole } from "#test/helpers/console.ts";

const CREATE =
  '@cora /factory create name:"Shop carts" token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement state management; Test" ref:task_2';

const setupWith = (kind: string) => `
  @cora /balance
  @mod /admin credit user:@cora amount:30000 token:USDC reason:grant
  @mod /admin credit user:@cora amount:2 token:SOL reason:grant
  ${CREATE}${kind ? ` kind:${kind}` : ""}
`;
const setup = setupWith("");

type Data = Record<string, unknown>;

const cases = [
  {
    name: "forge, web2",
    kind: "web2",
    env: { FEE_POLICY: "forge" },
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
    kind: "web3",
    env: { FEE_POLICY: "forge" },
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
    kind: "",
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
        await get().run(setupWith(c.kind));
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
  "funding a pool: web2 and web3 factories in one deployment",
  (get) => {
    const fund = async (user: string, factory: number) => {
      const preview = await get().one(`@${user} /pool fund factory:${factory} amount:20000`);
      expect(preview.code).toBe("confirmation_required");
      const done = await get().one(`@${user} /confirm`);
      expect(done.code).toBe("ok");
      return { preview: preview.data as Data, done: done.data as { factory: Data } };
    };
    const balancesOf = async (user: string) => {
      const data = (await get().one(`@${user} /balance`)).data as {
        balances: Array<{ token: string; balance: string }>;
      };
      return Object.fromEntries(data.balances.map((b) => [b.token, b.balance]));
    };

    it("charges each factory the setup fee of the kind its creator chose, to the atom", async () => {
      const created = await get().run(`
        ${setupWith("web2")}
        @dan /balance
        @mod /admin credit user:@dan amount:30000 token:USDC reason:grant
        @mod /admin credit user:@dan amount:2 token:SOL reason:grant
        @dan /factory create name:"Dex swaps" token:USDC bid:0.2 task:Swap app:Dex objectives:"Connect; Swap" kind:web3
      `);
      expect(created.map((r) => r.code)).toEqual(Array(8).fill("ok"));
      expect((created[3]!.data as { factory: Data }).factory.setupFee).toEqual({
        amount: "250",
        token: "USDC",
        separate: false,
        paid: false,
      });
      expect((created[7]!.data as { factory: Data }).factory.setupFee).toEqual({
        amount: "1",
        token: "SOL",
        separate: true,
        paid: false,
      });
      expect(created[7]!.text).toContain(
        "The first funding also charges the 1 SOL setup fee from your SOL balance.",
      );

      const web2 = await fund("cora", 1);
      expect(web2.preview.breakdown).toEqual({ token: "USDC", ...cases[0].preview });
      expect(web2.preview.demonstrations).toBe("78750");
      expect(web2.done.factory).toMatchObject({ balance: "15750", fundedDemonstrations: "78750" });
      const web3 = await fund("dan", 2);
      expect(web3.preview.breakdown).toEqual({ token: "USDC", ...cases[1].preview });
      expect(web3.preview.demonstrations).toBe("80000");
      expect(web3.done.factory).toMatchObject({ balance: "16000", fundedDemonstrations: "80000" });
      expect(await balancesOf("cora")).toEqual({ USDC: "10000", SOL: "2" });
      expect(await balancesOf("dan")).toEqual({ USDC: "10000", SOL: "1" });
      const fees = await get().app.db.prisma.transfer.findMany({
        where: { code: "pool.setup_fee" },
        orderBy: { id: "asc" },
      });
      expect(fees.map((t) => [t.token, t.amount.toFixed(), t.meta])).toEqual([
        ["USDC", "250000000", { factoryId: 1 }],
        ["SOL", "1000000000", { factoryId: 2 }],
      ]);
      expect((await auditLedger(get().app.db)).ok).toBe(true);
    });

    it("says at the preview, before any Confirm, that a web3 fee cannot be paid", async () => {
      const created = await get().run(`
        @eve /balance
        @mod /admin credit user:@eve amount:30000 token:USDC reason:grant
        @mod /admin credit user:@eve amount:0.5 token:SOL reason:grant
        @eve /factory create name:"Eve's" token:USDC bid:0.2 task:Swap app:Dex objectives:"Connect; Swap" kind:web3
      `);
      expect(created.at(-1)!.text).toContain("which has 0.5 SOL: add SOL before funding.");
      const refused = await get().run("@eve /pool fund factory:3 amount:20000\n@eve /confirm");
      expect(refused.map((r) => r.code)).toEqual(["insufficient_funds", "nothing_to_confirm"]);
      expect(refused[0]!.text).toBe(
        "Factory #3 is a web3 factory: its one-time setup fee, 1 SOL, is charged separately from your SOL balance, which has 0.5 SOL available. Add SOL first (/deposit), then fund again; nothing was moved.",
      );
      expect(await balancesOf("eve")).toEqual({ USDC: "30000", SOL: "0.5" });
      // With the SOL in hand the same funding goes through.
      await get().one("@mod /admin credit user:@eve amount:0.5 token:SOL reason:grant");
      const ok = await fund("eve", 3);
      expect(ok.done.factory).toMatchObject({ balance: "16000" });
      expect(await balancesOf("eve")).toEqual({ USDC: "10000" });
    });

    it("refuses an unknown kind", async () => {
      const r = await get().one(
        "@cora /factory create name:X token:USDC bid:0.2 task:t app:a objectives:o kind:web4",
      );
      expect(r.code).toBe("invalid_option");
      expect(await get().app.db.prisma.factory.count()).toBe(3);
    });
  },
  { kinds: ["pglite", "postgres"], moderators: ["mod"], env: { FEE_POLICY: "forge" } },
);

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
