// Scheduled posts whose sender died or failed: taken over after the lease, retried up to the cap,
// Discord's repeat carrying the same nonce. Several "processes" here are LeaderboardSchedules with
// their own owner names on one database, posting through real discord.js and grammY to the captured
// APIs. A process that dies mid-send is one whose send never returns, before or after Discord has
// the message (from the database's side the two are the same: a claim nobody marks); a real kill is
// in scheduled-posts.test.ts. A tick stopped by its job's timeout finishes the post under way only.
import { Bot } from "grammy";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Notifier, type PlatformSender } from "#src/core/notifier.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";
import { LeaderboardSchedules, type PostReport } from "#src/leaderboards/schedules.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { discordSender } from "#src/platforms/discord/sender.ts";
import { telegramSender } from "#src/platforms/telegram/sender.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { postgresAvailable } from "#test/helpers/db.ts";
import { BOT_TOKEN, type FakeDiscord, payloadOf, startFakeDiscord } from "#test/helpers/fake-discord.ts";
import { type FakeTelegram, startFakeTelegram, TELEGRAM_TOKEN } from "#test/helpers/fake-telegram.ts";

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 3;
const at = (iso: string) => new Date(iso);
const never = () => new Promise<never>(() => {});

/** How a process's Discord send ends: normally, or its process stops around it. */
type Fate =
  | "lives"
  /** The process stops as it sends: Discord never gets the message. */
  | "dies before sending"
  /** Discord has the message, and the process stops before it can record so. */
  | "dies after sending"
  /** Discord has the message, and the process stalls until the promise settles. */
  | Promise<void>;

for (const kind of ["pglite", "postgres"] as const) {
  (kind === "postgres" && !postgresAvailable() ? describe.skip : describe)(
    `scheduled posts that died or failed are retried [${kind}]`,
    () => {
      let test: TestApp;
      let discord: FakeDiscord;
      let telegram: FakeTelegram;
      let discordClient: ReturnType<typeof createDiscordClient>;
      let telegramApi: Bot["api"];
      let mod: number;
      let channel = 1_300_000_000_000_001_000n;

      beforeAll(async () => {
        [discord, telegram] = await Promise.all([startFakeDiscord(), startFakeTelegram()]);
        test = await createTestApp(kind);
        discordClient = createDiscordClient({ apiBase: discord.apiBase, token: BOT_TOKEN });
        telegramApi = new Bot(TELEGRAM_TOKEN, { client: { apiRoot: telegram.apiRoot } }).api;
        mod = (
          await test.app.services.db.prisma.user.create({
            data: { displayName: "mod", createdAt: test.app.services.clock.now() },
          })
        ).id;
      });
      afterEach(async () => {
        const { schedules } = test.app.services.leaderboards;
        for (const s of await schedules.list(at("2026-11-23T08:00:00Z")))
          await schedules.unschedule({
            actor: moderator(s.platform),
            key: `unschedule-${s.id}`,
            now: at("2026-12-01T00:00:00Z"),
            id: s.id,
          });
      });
      afterAll(async () => {
        await discordClient?.destroy();
        await test?.close();
        await Promise.all([discord?.close(), telegram?.close()]);
      });

      /** A bot process: its own owner name, the same database and platforms. */
      const botProcess = (
        owner: string,
        options: { maxAttempts?: number; fate?: Fate; afterSend?: () => void } = {},
      ) => {
        const { services } = test.app;
        const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
        const fate = options.fate ?? "lives";
        const discordPosts = discordSender(discordClient.rest, { hasBotToken: true });
        const notifier = new Notifier({ platformAccountsOf: async () => [] }, silentLogger);
        notifier.register({
          ...discordPosts,
          async postToChannel(channelId, message, postOptions) {
            if (fate === "dies before sending") return never();
            await discordPosts.postToChannel(channelId, message, postOptions);
            options.afterSend?.();
            if (fate === "dies after sending") return never();
            if (fate !== "lives") await fate;
          },
        } satisfies PlatformSender);
        notifier.register(telegramSender(telegramApi));
        const schedules = new LeaderboardSchedules(services.db, services.tokens, services.leaderboards, {
          owner,
          leaseMs: LEASE_MS,
          maxAttempts,
        });
        return {
          tick: (iso: string, signal?: AbortSignal): Promise<PostReport> =>
            schedules.postDue(at(iso), notifier, { images: false, log: silentLogger, signal }),
        };
      };

      const moderator = (platform: string) => ({
        userId: mod,
        displayName: "mod",
        isModerator: true,
        platform: platform as "discord" | "telegram",
        platformUserId: "mod",
      });

      /** A new schedule posting at 09:00 UTC every day, in a channel of its own. */
      const schedule = async (platform: "discord" | "telegram", chat?: string) => {
        const id = chat ?? String(channel++);
        const view = await test.app.services.leaderboards.schedules.schedule({
          actor: moderator(platform),
          key: `schedule-${platform}-${id}`,
          now: at("2026-11-23T08:00:00Z"),
          channel: { platform, id },
          board: "farmers",
          period: "week",
          cron: "0 9 * * *",
        });
        return { id: view.id, channel: id };
      };

      const claim = (scheduleId: number, periodKey: string) =>
        test.app.services.db.prisma.leaderboardPost.findUniqueOrThrow({
          where: { scheduleId_periodKey: { scheduleId, periodKey } },
        });
      const discordPosts = (channelId: string) =>
        discord.rest.requests.filter(
          (r) => r.method === "POST" && r.path === `/api/v10/channels/${channelId}/messages`,
        );

      it("a tick stopped by its job's timeout records the post it was sending and claims no other", async () => {
        const first = await schedule("discord");
        const second = await schedule("discord");
        // The job's timeout comes while the first board is being sent.
        const run = new AbortController();
        const stopped = botProcess("T", { afterSend: () => run.abort(new JobTimeoutError(300_000)) });
        await expect(stopped.tick("2026-11-23T09:00:05Z", run.signal)).rejects.toBeInstanceOf(
          JobTimeoutError,
        );
        expect(await claim(first.id, "2026-11-23T09:00Z")).toMatchObject({ status: "posted", owner: "T" });
        expect(await test.app.db.prisma.leaderboardPost.count({ where: { scheduleId: second.id } })).toBe(0);
        expect([discordPosts(first.channel).length, discordPosts(second.channel).length]).toEqual([1, 0]);

        // The next tick (the retry, or the next minute) posts the second, and only it.
        expect(await botProcess("U").tick("2026-11-23T09:01:00Z")).toEqual({
          posted: 1,
          resumed: 0,
          failed: 0,
          gaveUp: 0,
        });
        expect(await claim(second.id, "2026-11-23T09:00Z")).toMatchObject({ status: "posted", owner: "U" });
        expect([discordPosts(first.channel).length, discordPosts(second.channel).length]).toEqual([1, 1]);
      });

      it("sends a claim left unsent by a stalled owner once, after the lease, with the same Discord nonce", async () => {
        const { id, channel } = await schedule("discord");
        // Process A claims 09:00 and Discord gets the post, then A stalls before recording it (to
        // everyone else, A died).
        let wake!: () => void;
        const a = botProcess("A", { fate: new Promise<void>((resolve) => (wake = resolve)) }).tick(
          "2026-11-23T09:00:05Z",
        );
        await discord.rest.waitFor((r) => r.path === `/api/v10/channels/${channel}/messages`);
        expect(await claim(id, "2026-11-23T09:00Z")).toMatchObject({
          status: "sending",
          owner: "A",
          attempts: 1,
        });

        // Within the lease B leaves it alone, however often it ticks.
        const b = botProcess("B");
        for (const tick of ["2026-11-23T09:00:30Z", "2026-11-23T09:01:04Z"])
          expect(await b.tick(tick)).toEqual({ posted: 0, resumed: 0, failed: 0, gaveUp: 0 });
        expect(discordPosts(channel)).toHaveLength(1);

        // After it, B takes the post over and sends it; later ticks of anyone send nothing more.
        expect(await b.tick("2026-11-23T09:01:05Z")).toEqual({ posted: 1, resumed: 1, failed: 0, gaveUp: 0 });
        expect(await claim(id, "2026-11-23T09:00Z")).toMatchObject({
          status: "posted",
          owner: "B",
          attempts: 2,
          error: null,
        });
        for (const [p, tick] of [
          ["B", "2026-11-23T09:02:00Z"],
          ["C", "2026-11-23T09:10:00Z"],
          ["C", "2026-11-23T12:00:00Z"],
        ] as const)
          expect((await botProcess(p).tick(tick)).posted).toBe(0);
        const posts = discordPosts(channel);
        expect(posts).toHaveLength(2);

        // Both attempts carried one nonce, made from (schedule, period), with enforce_nonce: Discord
        // answers B's repeat with A's message instead of posting it twice.
        const [first, second] = posts.map(payloadOf) as Array<{ nonce?: string; enforce_nonce?: boolean }>;
        expect(first!.enforce_nonce).toBe(true);
        expect(second!.enforce_nonce).toBe(true);
        expect(first!.nonce).toMatch(/^[0-9a-f]{25}$/);
        expect(second!.nonce).toBe(first!.nonce);

        // A wakes up at last: its send had gone through, but the claim is B's now and stays so.
        wake();
        expect(await a).toEqual({ posted: 1, resumed: 0, failed: 0, gaveUp: 0 });
        expect(await claim(id, "2026-11-23T09:00Z")).toMatchObject({
          status: "posted",
          owner: "B",
          attempts: 2,
        });

        // The next period is another post with another nonce.
        expect((await botProcess("C").tick("2026-11-24T09:00:00Z")).posted).toBe(1);
        const next = payloadOf(discordPosts(channel)[2]!) as { nonce?: string; enforce_nonce?: boolean };
        expect(next.enforce_nonce).toBe(true);
        expect(next.nonce).toMatch(/^[0-9a-f]{25}$/);
        expect(next.nonce).not.toBe(first!.nonce);
      });

      it("retries a failing platform after the lease up to the cap, then records the post failed", async () => {
        const blockedChat = -1_001_000_000_000;
        const flakyChat = -1_002_000_000_000;
        const blocked = await schedule("telegram", String(blockedChat));
        const flaky = await schedule("telegram", String(flakyChat));
        telegram.blocked.add(blockedChat);
        telegram.blocked.add(flakyChat);
        const sends = (chat: number) =>
          telegram.calls("sendMessage").filter((r) => Number(r.body?.chat_id) === chat).length;
        const a = botProcess("A");
        const b = botProcess("B");

        expect(await a.tick("2026-11-25T09:00:00Z")).toEqual({ posted: 0, resumed: 0, failed: 2, gaveUp: 0 });
        const failedOnce = await claim(blocked.id, "2026-11-25T09:00Z");
        expect(failedOnce).toMatchObject({ status: "retry", attempts: 1, owner: "A" });
        expect(failedOnce.error).toMatch(/Forbidden/);
        // A failed attempt waits out the lease like a dead one: nothing within it.
        expect(await b.tick("2026-11-25T09:00:40Z")).toEqual({ posted: 0, resumed: 0, failed: 0, gaveUp: 0 });
        expect([sends(blockedChat), sends(flakyChat)]).toEqual([1, 1]);

        // The flaky chat works again: its retry posts; the blocked one fails its second attempt.
        telegram.blocked.delete(flakyChat);
        expect(await b.tick("2026-11-25T09:01:00Z")).toEqual({ posted: 1, resumed: 1, failed: 1, gaveUp: 0 });
        expect(await claim(flaky.id, "2026-11-25T09:00Z")).toMatchObject({
          status: "posted",
          owner: "B",
          attempts: 2,
          error: null,
        });
        // The third attempt is the last: the post is recorded failed and left alone from then on.
        expect(await a.tick("2026-11-25T09:02:00Z")).toEqual({ posted: 0, resumed: 0, failed: 1, gaveUp: 1 });
        for (const tick of ["2026-11-25T09:03:00Z", "2026-11-25T09:30:00Z"])
          expect(await b.tick(tick)).toEqual({ posted: 0, resumed: 0, failed: 0, gaveUp: 0 });
        expect([sends(blockedChat), sends(flakyChat)]).toEqual([3, 2]);
        const gaveUp = await claim(blocked.id, "2026-11-25T09:00Z");
        expect(gaveUp).toMatchObject({ status: "failed", attempts: 3, postedAt: null });
        expect(gaveUp.error).toMatch(/^gave up after 3 attempts: .*Forbidden/);
        telegram.blocked.delete(blockedChat);
      });

      it("gives up a post whose every attempt died, and an earlier period once a later one is due", async () => {
        const { id, channel } = await schedule("discord");
        // Two attempts allowed: A dies after Discord has the post, B as it sends (Discord never has it).
        void botProcess("A", { maxAttempts: 2, fate: "dies after sending" }).tick("2026-11-26T09:00:00Z");
        await discord.rest.waitFor((r) => r.path === `/api/v10/channels/${channel}/messages`);
        void botProcess("B", { maxAttempts: 2, fate: "dies before sending" }).tick("2026-11-26T09:01:00Z");
        await expect.poll(async () => (await claim(id, "2026-11-26T09:00Z")).owner).toBe("B");
        expect(await claim(id, "2026-11-26T09:00Z")).toMatchObject({ status: "sending", attempts: 2 });
        // Out of attempts once B's lease has run out: recorded failed, and nobody sends it again.
        const c = botProcess("C", { maxAttempts: 2 });
        expect(await c.tick("2026-11-26T09:01:59Z")).toEqual({ posted: 0, resumed: 0, failed: 0, gaveUp: 0 });
        expect(await c.tick("2026-11-26T09:02:00Z")).toEqual({ posted: 0, resumed: 0, failed: 0, gaveUp: 1 });
        expect(await c.tick("2026-11-26T09:05:00Z")).toEqual({ posted: 0, resumed: 0, failed: 0, gaveUp: 0 });
        const dead = await claim(id, "2026-11-26T09:00Z");
        expect(dead).toMatchObject({
          status: "failed",
          attempts: 2,
          postedAt: null,
          error: "attempt 2 by B never finished (its process stopped)",
        });
        expect(discordPosts(channel)).toHaveLength(1);

        // A period still unsent when the next one is due is given up (after its lease), not posted late.
        void botProcess("D", { fate: "dies before sending" }).tick("2026-11-27T09:00:00Z");
        await expect
          .poll(async () => (await claim(id, "2026-11-27T09:00Z").catch(() => null))?.owner)
          .toBe("D");
        expect(await botProcess("E").tick("2026-11-28T09:00:00Z")).toEqual({
          posted: 1,
          resumed: 0,
          failed: 0,
          gaveUp: 1,
        });
        expect(await claim(id, "2026-11-27T09:00Z")).toMatchObject({
          status: "failed",
          error: "not posted before the next scheduled time, 2026-11-28T09:00Z",
        });
        expect(await claim(id, "2026-11-28T09:00Z")).toMatchObject({ status: "posted", owner: "E" });
        expect(discordPosts(channel)).toHaveLength(2);
      });

      it("posts once when processes tick at the same moment", async () => {
        const { id, channel } = await schedule("discord");
        const ticks = await Promise.all(
          ["P", "Q", "R", "S"].map((owner) => botProcess(owner).tick("2026-11-29T09:00:00Z")),
        );
        expect(ticks.reduce((sum, r) => sum + r.posted, 0)).toBe(1);
        expect(discordPosts(channel)).toHaveLength(1);
        expect(await claim(id, "2026-11-29T09:00Z")).toMatchObject({ status: "posted", attempts: 1 });
      });
    },
  );
}
