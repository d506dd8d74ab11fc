// /link moves everything a member has, not only their balances: a creator with a factory and a
// leaderboard schedule, a farmer with a submission waiting for its grade, and a reviewer appointed
// to the factory, each join their console account (the one entering the code, merged away) to
// their Telegram one. Afterwards the creator manages the factory from either platform, its pool
// comes back to them, the reviewer's late grade pays the farmer's remaining account, no moved
// column still names a merged-away user, and the ledger still sums to zero.
import { expect, it } from "vitest";
import type { PlatformUser } from "#src/core/context.ts";
import { USER_COLUMNS, type UserColumn } from "#src/identity/user-columns.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { writeDemo } from "#test/economy/demo-files.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";

const MANUAL_GRADING = {
  GRADER_URL: "http://127.0.0.1:1/grade",
  GRADER_FALLBACK: "manual",
  GRADER_TIMEOUT_MS: "1000",
};

const telegramUser = (name: string, id: string): PlatformUser => ({
  platform: "telegram",
  id,
  username: `${name}_tg`,
  displayName: name,
});
const coraOnTelegram = telegramUser("cora", "7001");
const fayOnTelegram = telegramUser("fay", "7002");
const maxOnTelegram = telegramUser("max", "7003");
const rexOnTelegram = telegramUser("rex", "7004");

type Data = Record<string, unknown>;

/** How many rows of a moved column still name `userId`, through the model's Prisma delegate. */
async function rowsNaming(h: ConsoleHarness, column: UserColumn, userId: number): Promise<number> {
  const [model, field] = column.split(".") as [string, string];
  const delegate = (h.app.db.prisma as unknown as Record<string, { count(args: unknown): Promise<number> }>)[
    model.charAt(0).toLowerCase() + model.slice(1)
  ]!;
  return delegate.count({ where: { [field]: userId } });
}

describeConsole(
  "linking moves what a member has",
  (get) => {
    let n = 0;
    const asTelegram = (user: PlatformUser, path: string[], options: Record<string, string> = {}) =>
      get().app.dispatcher.dispatch({ platform: "telegram", eventId: `tg${++n}`, user, path, options });
    const userOf = async (platform: "console" | "telegram", username: string) =>
      (
        await get().app.db.prisma.platformAccount.findFirstOrThrow({
          where: { platform, username },
        })
      ).userId;
    /** Shows a code on Telegram and enters it on the console: the console account is merged away. */
    const link = async (telegram: PlatformUser, consoleName: string) => {
      const shown = await asTelegram(telegram, ["link"]);
      const code = (shown.reply.data as { code: string }).code;
      return get().one(`@${consoleName} /link code:${code}`);
    };

    it("the factory, its schedule and a pending grade follow the linked accounts", async () => {
      const h = get();
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:10 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ref:task_2
        @cora /pool fund factory:1 amount:1
        @cora /confirm
        @max /admin leaderboard schedule board:farmers channel:#general cron:"0 9 * * 1"
        @rex /balance
        @mod /admin reviewer appoint user:@rex factory:1
      `);
      expect((await h.one(`@fay /submit factory:1 ${writeDemo("link-1")}`)).code).toBe("ok");
      await h.app.services.submissions.queue.idle();
      expect((await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } })).status).toBe(
        "manual_review",
      );
      await asTelegram(coraOnTelegram, ["help"]);
      await asTelegram(fayOnTelegram, ["help"]);
      await asTelegram(maxOnTelegram, ["help"]);
      await asTelegram(rexOnTelegram, ["help"]);
      const names = ["cora", "fay", "max", "rex"] as const;
      type Ids = Record<(typeof names)[number], number>;
      const idsOn = async (platform: "console" | "telegram", suffix: string) =>
        Object.fromEntries(
          await Promise.all(names.map(async (name) => [name, await userOf(platform, `${name}${suffix}`)])),
        ) as Ids;
      const merged = await idsOn("console", "");
      const kept = await idsOn("telegram", "_tg");

      // Both of Fay's accounts have farmed before: a profile and a fee tally each, keyed by user.
      const { rewardFeePercent: feePercent } = await h.app.db.prisma.factory.findUniqueOrThrow({
        where: { id: 1 },
      });
      const expiredBoost = new Date("2025-12-31T00:00:00Z");
      await h.app.db.prisma.farmerProfile.createMany({
        data: [
          { userId: merged.fay, xp: 5n, reputation: 40 },
          {
            userId: kept.fay,
            xp: 7n,
            reputation: 30,
            boostMultiplier: "2",
            boostUntil: expiredBoost,
          },
        ],
      });
      await h.app.db.prisma.farmerFeeTally.createMany({
        data: [
          { farmerUserId: merged.fay, token: "USDC", feePercent, grossAtoms: "150000", feeAtoms: "15000" },
          { farmerUserId: kept.fay, token: "USDC", feePercent, grossAtoms: "50000", feeAtoms: "5000" },
        ],
      });

      expect((await link(coraOnTelegram, "cora")).code).toBe("ok");
      expect((await link(fayOnTelegram, "fay")).code).toBe("ok");
      expect((await link(maxOnTelegram, "max")).code).toBe("ok");
      expect((await link(rexOnTelegram, "rex")).code).toBe("ok");
      // Added up into the remaining account's rows, the later boost and the higher reputation kept.
      expect(await h.app.db.prisma.farmerProfile.findMany()).toEqual([
        expect.objectContaining({
          userId: kept.fay,
          xp: 12n,
          reputation: 40,
          boostMultiplier: "2",
          boostUntil: expiredBoost,
        }),
      ]);
      expect(await h.app.db.prisma.farmerFeeTally.findMany()).toEqual([
        expect.objectContaining({ farmerUserId: kept.fay, feePercent }),
      ]);
      const tally = await h.app.db.prisma.farmerFeeTally.findFirstOrThrow();
      expect([tally.grossAtoms.toFixed(), tally.feeAtoms.toFixed()]).toEqual(["200000", "20000"]);

      // The creator (no moderator) manages the factory from Telegram, but never judges its submissions.
      const mine = await asTelegram(coraOnTelegram, ["factory", "list"], { mine: "true" });
      expect(JSON.stringify(mine.reply.data)).toContain("Carts");
      expect((await asTelegram(coraOnTelegram, ["review", "queue"])).reply.data).toEqual({ items: [] });
      const byCreator = await asTelegram(coraOnTelegram, ["review", "score"], {
        submission: "1",
        score: "100",
      });
      expect(byCreator).toMatchObject({ ok: false });
      // The reviewer's appointment followed them: the submission waits for them on Telegram.
      const queue = await asTelegram(rexOnTelegram, ["review", "queue"]);
      expect(queue.reply.data).toMatchObject({ items: [{ id: 1, status: "manual_review" }] });
      // ...and they grade it: the farmer's reward reaches their remaining account, seen on both platforms.
      const graded = await asTelegram(rexOnTelegram, ["review", "score"], { submission: "1", score: "100" });
      expect(graded).toMatchObject({ ok: true });
      const fayBalance = await asTelegram(fayOnTelegram, ["balance"], { token: "USDC" });
      expect(fayBalance.reply.data).toMatchObject({ balances: [{ token: "USDC", balance: "0.18" }] });
      expect((await h.one("@fay /balance token:USDC")).data).toEqual(fayBalance.reply.data);
      const profile = await h.app.db.prisma.farmerProfile.findUniqueOrThrow({ where: { userId: kept.fay } });
      expect(profile.xp).toBe(112n);

      // The pool's remainder comes back to the creator, to the account they still use.
      await h.run("@cora /factory pause factory:1");
      const [asked, confirmed] = await h.run("@cora /pool withdraw factory:1\n@cora /confirm");
      expect([asked?.code, confirmed?.code]).toEqual(["confirmation_required", "ok"]);
      const coraBalance = (await asTelegram(coraOnTelegram, ["balance"], { token: "USDC" })).reply
        .data as Data;
      expect(coraBalance).toMatchObject({ balances: [{ token: "USDC", balance: "9.8" }] });

      const schedule = await h.app.db.prisma.leaderboardSchedule.findFirstOrThrow();
      expect(schedule.createdById).toBe(kept.max);
      // No column the merge moves still names a merged-away member.
      const moved = (Object.entries(USER_COLUMNS) as Array<[UserColumn, object]>)
        .filter(([, fate]) => "move" in fate)
        .map(([column]) => column);
      for (const userId of Object.values(merged)) {
        const left: string[] = [];
        for (const column of moved) if ((await rowsNaming(h, column, userId)) > 0) left.push(column);
        expect(left, `columns still naming merged-away user ${userId}`).toEqual([]);
      }
      expect((await auditLedger(h.app.db)).problems).toEqual([]);
    });
  },
  { env: MANUAL_GRADING, moderators: ["mod", "max"], kinds: ["pglite"] },
);
