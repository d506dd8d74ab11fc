// The arena as members use it on the console: a task, stakes, a delegation, a sharing ratio,
// submissions and scores, one epoch paid, the rewards shown; and every kind of bad input refused
// without changing anything.
import { expect, it } from "vitest";
import { arenaEmissionJob } from "#src/arena/emission-job.ts";
import { silentLogger } from "#src/log.ts";
import { describeConsole } from "#test/helpers/console.ts";

describeConsole(
  "the arena on the console",
  (get) => {
    it("runs a task from creation to the rewards of its first epoch", async () => {
      const h = get();
      h.clock.set("2026-01-01T10:00:00Z");
      const setup = await h.run(`
        @ann /balance
        @bo /balance
        @val /balance
        @fan /balance
        @mod /admin credit user:@ann amount:5000 token:CLONES reason:seed
        @mod /admin credit user:@bo amount:5000 token:CLONES reason:seed
        @mod /admin credit user:@val amount:5000 token:CLONES reason:seed
        @mod /admin credit user:@fan amount:5000 token:CLONES reason:seed
        @ann /factory create name:Tickets token:USDC bid:0.2 task:Summarize app:Helpdesk objectives:"Read; Summarize"
        @ann /arena task create title:"Summarize tickets" factory:1
        @ann /arena stake node task:1 amount:3000
        @bo /arena stake node task:1 amount:3500
        @val /arena stake validator task:1 amount:12000
        @val /arena stake validator task:1 amount:4000
        @fan /arena delegate task:1 to:@ann role:node amount:1000
        @ann /arena share task:1 role:node ratio:0.6
      `);
      expect(setup.map((r) => r.code)).toEqual([
        ...Array(12).fill("ok"),
        "insufficient_funds",
        "ok",
        "ok",
        "ok",
      ]);
      expect(setup[9]!.data).toMatchObject({ task: { id: 1, title: "Summarize tickets", factoryId: 1 } });
      expect(setup[10]!.data).toMatchObject({ stake: "3000", balance: "2000" });

      h.clock.set("2026-01-02T09:00:00Z");
      const epochWork = await h.run(`
        @ann /arena submit task:1 model:"hf.co/ann/model@v1"
        @bo /arena submit task:1 model:"hf.co/bo/model@v1"
        @val /arena score task:1 node:@ann score:0.9
        @val /arena score task:1 node:@bo score:0.7
        @fan /arena task info task:1
        @fan /arena task list
      `);
      expect(epochWork.map((r) => r.code)).toEqual(["ok", "ok", "ok", "ok", "ok", "ok"]);
      expect(epochWork[4]!.data).toMatchObject({
        stake: "11500",
        nodes: [
          { stake: "3000", delegated: "1000", delegators: 1, shareRatio: "0.6" },
          { stake: "3500", delegated: "0" },
        ],
        validators: [{ stake: "4000" }],
      });
      expect(epochWork[5]!.text).toContain("#1 Summarize tickets: 11,500 CLONES staked by 3 participants");

      // The epoch of 2026-01-02, as the scheduler runs it (ARENA_EMISSION=1000, rank mode, r 0.8).
      const report = await arenaEmissionJob.run({
        period: {
          key: "2026-01-02",
          start: new Date("2026-01-02T00:00:00Z"),
          end: new Date("2026-01-03T00:00:00Z"),
        },
        key: "arena-emission:2026-01-02",
        services: h.app.services,
        log: silentLogger,
        now: new Date("2026-01-03T00:00:00Z"),
      });
      expect(report.summary).toContain("1,000 CLONES of 1,000 CLONES to 4 payees across 1 task");

      const after = await h.run(`
        @ann /arena rewards
        @fan /arena rewards epoch:2026-01-02
        @val /arena rewards
        @fan /history token:CLONES
      `);
      expect(after.map((r) => r.code)).toEqual(["ok", "ok", "ok", "ok"]);
      const ann = after[0]!.data as {
        total: string;
        lines: Array<{ role: string; breakdown: { rank: number } }>;
      };
      expect(ann.lines[0]).toMatchObject({ role: "node", breakdown: { rank: 1, consensusScore: "0.9" } });
      const fan = after[1]!.data as { total: string };
      const val = after[2]!.data as { total: string };
      // Nodes 7,500 of 11,500 effective: 652.17...; validators the rest.
      expect(Number(val.total)).toBeCloseTo(347.826, 2);
      expect(Number(ann.total) + Number(fan.total)).toBeGreaterThan(0);
      expect(after[0]!.text).toContain("rank 1");
      // What the breakdown says ann keeps is what she was paid, the rounding atom placed in it.
      const kept = /you keep ([\d,.]+ CLONES)/.exec(after[0]!.text)?.[1];
      expect(after[0]!.text).toContain(`In all: ${kept} of the epoch's`);
      expect(after[0]!.text).toContain(
        "you keep 326.086956522 CLONES (326.086956521 CLONES rounded down, +0.000000001 CLONES from rounding)",
      );
      expect(after[0]!.text).toMatch(
        /Task 1 earned 1,000 CLONES of the epoch \(R0\): 652\.173913043 CLONES to its nodes/,
      );
      expect(after[3]!.text).toContain("arena reward");
      const sum = ["ann", "bo", "val", "fan"].map((name) => after.find((r) => r.user === name));
      expect(sum.length).toBe(4);
    });

    it("refuses bad input with a code and a way out, and changes nothing", async () => {
      const h = get();
      const before = await h.one("@fan /balance");
      const refused = await h.run(`
        @fan /arena stake node task:99 amount:10
        @fan /arena stake node task:1 amount:-5
        @fan /arena stake node task:1 amount:0.0000000001
        @fan /arena stake node task:1 amount:0
        @fan /arena stake node task:1 amount:999999
        @fan /arena delegate task:1 to:@fan role:node amount:1
        @fan /arena delegate task:1 to:@val role:node amount:1
        @fan /arena undelegate task:1 to:@bo role:node
        @fan /arena unstake task:1 role:validator
        @fan /arena submit task:1 model:"x"
        @fan /arena score task:1 node:@ann score:0.5
        @val /arena score task:1 node:@ann score:1.5
        @val /arena score task:1 node:@fan score:0.5
        @ann /arena share task:1 role:node ratio:0.2
        @ann /arena share task:1 role:node ratio:2
        @fan /arena task create title:""
        @fan /arena task create title:"On nothing" factory:99
        @fan /arena task info task:abc
        @fan /arena stake node task:1
        @fan /arena unstake task:1 role:miner
      `);
      expect(refused.map((r) => r.code)).toEqual([
        "not_found",
        "invalid_amount",
        "invalid_amount",
        "invalid_amount",
        "insufficient_funds",
        "invalid_option",
        "not_found",
        "not_staked",
        "not_found",
        "not_found",
        "not_found",
        "invalid_option",
        "not_found",
        "too_soon",
        "invalid_option",
        "missing_option",
        "not_found",
        "invalid_option",
        "missing_option",
        "invalid_option",
      ]);
      expect(refused[16]!.text).toBe(
        "There is no factory #99 to train on. /factory list shows them; leave factory: out for a task without one.",
      );
      expect(refused[13]!.text).toMatch(/once per 30 days; you can change it again from 2026-01-31/);
      expect(refused[0]!.text).toContain("/arena task list");
      expect((await h.one("@fan /balance")).data).toEqual(before.data);
      const stakes = await h.app.db.prisma.arenaStake.count();
      expect(stakes).toBe(4);
    });

    it("lets the ratio change again after 30 days, and a replayed event changes nothing", async () => {
      const h = get();
      h.clock.set("2026-02-01T00:00:00Z");
      expect((await h.one("@ann /arena share task:1 role:node ratio:0.2")).code).toBe("ok");
      const participant = await h.app.db.prisma.arenaParticipant.findFirstOrThrow({
        where: { role: "node" },
        orderBy: { id: "asc" },
      });
      expect(participant.sigma.toString()).toBe("0.8");
      const actor = {
        userId: participant.userId,
        displayName: "ann",
        isModerator: false,
        platform: "console" as const,
        platformUserId: "ann",
      };
      const stake = {
        actor,
        key: "same-event",
        now: h.clock.now(),
        taskId: 1,
        role: "node" as const,
        amountAtoms: 10n ** 9n,
      };
      const first = await h.app.services.arena.stake(stake);
      const second = await h.app.services.arena.stake(stake);
      expect(second).toEqual(first);
      expect(await h.app.db.prisma.arenaStake.count()).toBe(5);
    });
  },
  { moderators: ["mod"], kinds: ["pglite"], env: { ARENA_EMISSION: "1000", ARENA_SCORE_MODE: "rank" } },
);
