// Staking through the console: tier boundaries to the atom, unstaking through a cooldown that
// still counts for the tier, the release job returning each unstake exactly once (also after a run
// stopped by its timeout), and refusals.
import { expect, it } from "vitest";
import { unstakeReleaseJob } from "#src/economy/ambassadors/unstake-release-job.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";
import { jobs } from "#src/jobs.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { describeConsole } from "#test/helpers/console.ts";

const DAY_MS = 86_400_000;

interface StakeData {
  staked: string;
  cooling: string;
  counted: string;
  tier: number;
  next: { tier: number; threshold: string; missing: string } | null;
}

describeConsole(
  "staking CLONES for ambassador tiers",
  (get) => {
    const status = async (user: string) => (await get().one(`@${user} /stake status`)).data as StakeData;

    async function runReleaseJob(key: string) {
      const { app, clock } = get();
      const now = clock.now();
      return unstakeReleaseJob.run({
        period: { key, start: now, end: now },
        key: `unstake-releases:${key}`,
        services: app.services,
        log: silentLogger,
        now,
      });
    }

    it("tier N needs N x 0.1% of the supply: one atom below a threshold is the lower tier", async () => {
      await get().one("@mod /admin credit user:@mod amount:6000000 token:CLONES reason:grant");
      // Supply 1,000,000,000 CLONES: thresholds 1M, 2M, 3M, 4M, 5M CLONES.
      const expectations: Array<[string, number]> = [
        ["999999.999999999", 0],
        ["0.000000001", 1], // 1,000,000 exactly
        ["999999.999999999", 1], // 1,999,999.999999999
        ["0.000000001", 2],
        ["999999.999999999", 2],
        ["0.000000001", 3],
        ["999999.999999999", 3],
        ["0.000000001", 4],
        ["999999.999999999", 4],
        ["0.000000001", 5],
        ["1000000", 5], // beyond the top tier
      ];
      for (const [amount, tier] of expectations) {
        const record = await get().one(`@mod /stake add amount:${amount}`);
        expect(record.code, record.text).toBe("ok");
        expect((record.data as StakeData).tier, `after adding ${amount}`).toBe(tier);
      }
      const s = await status("mod");
      expect(s).toMatchObject({ staked: "6000000", tier: 5, next: null });
    });

    it("status shows the next threshold, a progress bar and what cools down; cooling stake still counts", async () => {
      await get().one("@amy /stake status"); // amy meets the bot first
      await get().one("@mod /admin credit user:@amy amount:3000000 token:CLONES reason:grant");
      expect((await get().one("@amy /stake add amount:3000000")).code).toBe("ok");
      const removed = await get().one("@amy /stake remove amount:500000");
      expect(removed.code, removed.text).toBe("ok");
      expect(removed.text).toContain("2026-01-08 00:00 UTC");
      const s = await status("amy");
      expect(s).toMatchObject({ staked: "2500000", cooling: "500000", counted: "3000000", tier: 3 });
      expect(s.next).toEqual({ tier: 4, threshold: "4000000", missing: "1000000" });
      const text = (await get().one("@amy /stake status")).text;
      // From tier 3 (3,000,000) to tier 4 (4,000,000): at the start of the band, as /profile shows it.
      expect(text).toContain("░░░░░░░░░░ 0%, 1,000,000 CLONES to go");
      expect(text).toContain("500,000 CLONES returns to your balance at 2026-01-08 00:00 UTC");
    });

    it("the release job returns matured unstakes exactly once, and the tier drops only then", async () => {
      const early = await runReleaseJob("early");
      expect(early.data).toMatchObject({ released: 0 });
      expect((await status("amy")).tier).toBe(3);
      get().clock.advance(7 * DAY_MS);
      const first = await runReleaseJob("due");
      expect(first.data).toMatchObject({ released: 1, atoms: "500000000000000" });
      expect(first.summary).toContain("500,000 CLONES");
      const again = await Promise.all([runReleaseJob("due"), runReleaseJob("again")]);
      expect(again.map((r) => r.data)).toEqual([
        { released: 0, atoms: "0" },
        { released: 0, atoms: "0" },
      ]);
      expect(await status("amy")).toMatchObject({ staked: "2500000", cooling: "0", tier: 2 });
      const balance = (await get().one("@amy /balance token:CLONES")).data as {
        balances: Array<{ purpose: string; balance: string }>;
      };
      expect(balance.balances.find((b) => b.purpose === "main")?.balance).toBe("500000");
      const history = await get().one("@amy /history token:CLONES");
      expect(history.text).toContain("unstaked");
      expect(history.text).toContain("unstaking (cooldown)");
      expect(jobs).toContain(unstakeReleaseJob);
    });

    it("refuses unstaking more than is staked, and staking more than the balance, changing nothing", async () => {
      const tooMuch = await get().one("@amy /stake remove amount:2500000.000000001");
      expect(tooMuch).toMatchObject({ ok: false, code: "insufficient_stake" });
      expect(tooMuch.text).toContain("2,500,000 CLONES staked");
      const broke = await get().one("@amy /stake add amount:500000.000000001");
      expect(broke).toMatchObject({ ok: false, code: "insufficient_funds" });
      const zero = await get().one("@amy /stake add amount:0");
      expect(zero.ok).toBe(false);
      expect(zero.code).toBe("invalid_amount");
      expect(await status("amy")).toMatchObject({ staked: "2500000", cooling: "0" });
      expect((await auditLedger(get().app.services.db)).problems).toEqual([]);
    });

    it("a replayed stake command (same event key) stakes once", async () => {
      const { services } = get().app;
      const ref = await services.identity.findByUsername(services.db.prisma, "console", "amy");
      const actor = {
        userId: ref!.userId,
        displayName: "amy",
        isModerator: false,
        platform: "console" as const,
        platformUserId: "amy",
      };
      const once = await services.staking.add({ actor, key: "event-42", amountAtoms: 1n });
      const twice = await services.staking.add({ actor, key: "event-42", amountAtoms: 1n });
      expect(twice).toEqual(once);
      expect((await status("amy")).staked).toBe("2500000.000000001");
    });

    it("/stake cancel keeps cooling CLONES staked: one by number or all, only one's own, once", async () => {
      const h = get();
      await h.one("@bo /stake status");
      await h.one("@mod /admin credit user:@bo amount:2000000 token:CLONES reason:grant");
      await h.one("@bo /stake add amount:2000000");
      const first = await h.one("@bo /stake remove amount:400000");
      const second = await h.one("@bo /stake remove amount:100000");
      expect([first.code, second.code]).toEqual(["ok", "ok"]);
      const listed = (await h.one("@bo /stake status")).data as { unstakes: Array<{ id: number }> };
      const [a, b] = listed.unstakes.map((u) => u.id);
      expect((await h.one("@bo /stake status")).text).toContain(`• #${a}: 400,000 CLONES returns`);

      // Someone else's unstake, or a number nobody has: refused, nothing moves.
      for (const line of [`@amy /stake cancel unstake:${a}`, "@bo /stake cancel unstake:99999"]) {
        const refused = await h.one(line);
        expect([refused.code, refused.text]).toEqual([
          "unknown_unstake",
          expect.stringContaining("/stake status"),
        ]);
      }
      const one = await h.one(`@bo /stake cancel unstake:${a}`);
      expect([one.code, one.text]).toEqual([
        "ok",
        `Unstake cancelled\n400,000 CLONES (#${a}) is back in your stake. Your tier: tier 2 (2% commission).`,
      ]);
      expect(await status("bo")).toMatchObject({ staked: "1900000", cooling: "100000", counted: "2000000" });
      const again = await h.one(`@bo /stake cancel unstake:${a}`);
      expect([again.code, again.text]).toEqual([
        "invalid_state",
        expect.stringContaining("cancelled already"),
      ]);

      // Past the cooldown the release job finds nothing of what was cancelled; the rest goes back.
      expect((await h.one("@bo /stake cancel")).data).toMatchObject({
        cancelled: [{ id: b, amount: "100000" }],
      });
      expect((await h.one("@bo /stake cancel")).code).toBe("nothing_cooling");
      h.clock.advance(8 * DAY_MS);
      expect((await runReleaseJob("after-cancel")).data).toMatchObject({ released: 0 });
      expect(await status("bo")).toMatchObject({ staked: "2000000", cooling: "0", tier: 2 });
      expect((await h.one("@bo /history token:CLONES")).text).toContain("unstake cancelled (staked again)");
      expect((await auditLedger(h.app.services.db)).problems).toEqual([]);
    });
  },
  { kinds: ["pglite"], moderators: ["mod"] },
);

describeConsole(
  "the release job stopped by its timeout",
  (get) => {
    const status = async (user: string) => (await get().one(`@${user} /stake status`)).data as StakeData;
    it("a run timed out before its first unstake releases nothing; the retry releases each once", async () => {
      const h = get();
      await h.one("@cy /stake status");
      await h.one("@mod /admin credit user:@cy amount:1000000 token:CLONES reason:grant");
      await h.one("@cy /stake add amount:1000000");
      for (const amount of ["300000", "200000"])
        expect((await h.one(`@cy /stake remove amount:${amount}`)).code).toBe("ok");
      h.clock.advance(8 * DAY_MS);
      const run = (key: string, signal?: AbortSignal) => {
        const now = h.clock.now();
        return unstakeReleaseJob.run({
          period: { key, start: now, end: now },
          key: `unstake-releases:${key}`,
          services: h.app.services,
          log: silentLogger,
          now,
          signal,
        });
      };

      // Timed out before the first unstake: both still cool down, still counted, nothing moved.
      const stopped = run("stopped", AbortSignal.abort(new JobTimeoutError(600_000)));
      await expect(stopped).rejects.toBeInstanceOf(JobTimeoutError);
      expect(await status("cy")).toMatchObject({ staked: "500000", cooling: "500000", counted: "1000000" });
      expect(await h.app.db.prisma.unstake.count({ where: { releasedAt: { not: null } } })).toBe(0);
      expect((await auditLedger(h.app.services.db)).problems).toEqual([]);

      // The retry releases both, each once, and a third run finds nothing left.
      expect((await run("retry")).data).toEqual({ released: 2, atoms: "500000000000000" });
      expect((await run("after")).data).toEqual({ released: 0, atoms: "0" });
      expect(await status("cy")).toMatchObject({ staked: "500000", cooling: "0", counted: "500000" });
      const releases = await h.app.db.prisma.transfer.count({
        where: { key: { startsWith: "stake.release|" } },
      });
      expect(releases).toBe(2);
      expect((await auditLedger(h.app.services.db)).problems).toEqual([]);
    });
  },
  { moderators: ["mod"] },
);

describeConsole(
  "unstaking with no cooldown",
  (get) => {
    it("UNSTAKE_COOLDOWN_DAYS=0 returns the stake at once", async () => {
      await get().one("@zed /balance");
      await get().one("@mod /admin credit user:@zed amount:1000000 token:CLONES reason:grant");
      await get().one("@zed /stake add amount:1000000");
      const removed = await get().one("@zed /stake remove amount:1");
      expect(removed.text).toContain("back in your balance");
      expect(removed.data).toMatchObject({ tier: 0, cooling: "0", staked: "999999", releaseAt: null });
    });
  },
  { kinds: ["pglite"], moderators: ["mod"], env: { UNSTAKE_COOLDOWN_DAYS: "0" } },
);
