import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { ManualClock } from "#src/core/clock.ts";
import { silentLogger } from "#src/log.ts";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "#test/helpers/db.ts";
import { BOT_TOKEN, type FakeDiscord, payloadOf, startFakeDiscord } from "#test/helpers/fake-discord.ts";
import { type FakeTelegram, startFakeTelegram, TELEGRAM_TOKEN } from "#test/helpers/fake-telegram.ts";
import { LedgerSeed } from "./seed.ts";

const WORKER = fileURLToPath(new URL("./post-worker.ts", import.meta.url));
const DISCORD_CHANNEL = "1300000000000000777";
const TELEGRAM_CHAT = "-1001234567890";

// The same ticks for both processes: repeated minutes, minutes off the schedule, and a late tick on
// the third day (09:45) that must still post that day's 09:00 board.
const TICKS = [
  "2026-11-23T08:59:00Z",
  "2026-11-23T09:00:00Z",
  "2026-11-23T09:00:30Z",
  "2026-11-23T09:01:00Z",
  "2026-11-23T10:00:00Z",
  "2026-11-23T10:05:00Z",
  "2026-11-24T09:00:00Z",
  "2026-11-24T09:00:00Z",
  "2026-11-24T10:00:00Z",
  "2026-11-25T09:45:00Z",
  "2026-11-25T10:00:00Z",
  "2026-11-25T10:01:00Z",
];

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  /** Runs the worker's next tick; resolves when it is done. */
  tick(): Promise<void>;
  /** What it printed, once it exited (rejects if it failed). */
  done: Promise<string>;
  /** Resolves with the signal that killed it, if one did. */
  exit: Promise<NodeJS.Signals | null>;
}

function startWorker(env: Record<string, string>, ticks: readonly string[] = TICKS): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...ticks], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let ticked = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes("ready\n")) onReady();
    ticked = out.split("ticked\n").length - 1;
    for (const w of waiting.filter((w) => w.count <= ticked)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal)),
  );
  const done = new Promise<string>((resolve, reject) => {
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker exited with ${code}: ${err.slice(-2000)}`)),
    );
  });
  let sent = 0;
  return {
    child,
    ready,
    done,
    exit,
    tick() {
      const count = ++sent;
      child.stdin!.write("go\n");
      return new Promise<void>((resolve) => waiting.push({ count, resolve }));
    },
  };
}

(postgresAvailable() ? describe : describe.skip)("scheduled leaderboard posts with two bot processes", () => {
  let test: TestDatabase;
  let discord: FakeDiscord;
  let telegram: FakeTelegram;

  beforeAll(async () => {
    [discord, telegram] = await Promise.all([startFakeDiscord(), startFakeTelegram()]);
    test = await createTestDatabase("postgres", { poolSize: 4 });
    const clock = new ManualClock("2026-11-23T08:00:00Z");
    const app = await createApp(
      loadConfig({ DATABASE_URL: test.url, LOG_LEVEL: "silent" }),
      test.db,
      silentLogger,
      clock,
    );
    const seed = new LedgerSeed(test.db, app.services.ledger);
    const mod = await seed.user("mod");
    const alice = await seed.user("alice 🚀 with a rather long name that the card must cut");
    await seed.pay(alice, "payout.farmer", 42_000_000n, "2026-11-22T12:00:00Z", {
      meta: { factoryId: 1, submissionId: 1 },
    });
    const actor = {
      userId: mod,
      displayName: "mod",
      isModerator: true,
      platform: "console" as const,
      platformUserId: "mod",
    };
    const { schedules } = app.services.leaderboards;
    await schedules.schedule({
      actor,
      key: "schedule-discord",
      now: clock.now(),
      channel: { platform: "discord", id: DISCORD_CHANNEL, name: "#leaderboards" },
      board: "farmers",
      period: "month",
      cron: "0 9 * * *",
    });
    await schedules.schedule({
      actor,
      key: "schedule-telegram",
      now: clock.now(),
      channel: { platform: "telegram", id: TELEGRAM_CHAT },
      board: "farmers",
      period: "all",
      cron: "0 10 * * 1,3",
    });
  });

  afterAll(async () => {
    await test?.drop();
    await Promise.all([discord?.close(), telegram?.close()]);
  });

  it("posts each scheduled period exactly once, through Discord's and Telegram's APIs", async () => {
    const env = {
      DATABASE_URL: test.url,
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_BASE: discord.apiBase,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    };
    const workers = [startWorker(env), startWorker(env)];
    await Promise.all(workers.map((w) => w.ready));
    // Tick by tick together: both race for every claim, on clocks that agree.
    for (const _ of TICKS) await Promise.all(workers.map((w) => w.tick()));
    const outputs = await Promise.all(workers.map((w) => w.done));
    const posted = outputs.map(
      (out) => (JSON.parse(out.trim().split("\n").at(-1)!) as { posted: number }).posted,
    );

    // Discord: daily at 09:00 on the 23rd, 24th and (late) 25th: three posts, each an embed with its card.
    const discordPosts = discord.rest.requests.filter(
      (r) => r.method === "POST" && r.path === `/api/v10/channels/${DISCORD_CHANNEL}/messages`,
    );
    expect(discordPosts).toHaveLength(3);
    for (const post of discordPosts) {
      const body = payloadOf(post) as { embeds: Array<{ title: string; image?: { url: string } }> };
      expect(body.embeds[0]!.title).toBe("Top farmers by earnings");
      expect(body.embeds[0]!.image?.url).toBe("attachment://leaderboard.png");
      const file = Object.values(post.files)[0]!;
      expect(file.data.subarray(1, 4).toString("latin1")).toBe("PNG");
    }
    // Telegram: Mondays and Wednesdays at 10:00: the 23rd and the 25th, as photos with a caption.
    const photos = telegram.calls("sendPhoto").filter((r) => String(r.body?.chat_id) === TELEGRAM_CHAT);
    expect(photos).toHaveLength(2);
    expect(String(photos[0]!.body?.caption)).toContain("Top farmers by earnings");
    expect(telegram.calls("sendMessage")).toHaveLength(0);

    // Between them the two processes posted five times, and every claim was posted.
    expect(posted.reduce((a, b) => a + b, 0)).toBe(5);
    const claims = await test.db.prisma.leaderboardPost.findMany({
      orderBy: [{ scheduleId: "asc" }, { periodKey: "asc" }],
    });
    expect(
      claims.map((c) => [c.scheduleId, c.periodKey, c.status, c.attempts, c.postedAt !== null, c.error]),
    ).toEqual([
      [1, "2026-11-23T09:00Z", "posted", 1, true, null],
      [1, "2026-11-24T09:00Z", "posted", 1, true, null],
      [1, "2026-11-25T09:00Z", "posted", 1, true, null],
      [2, "2026-11-23T10:00Z", "posted", 1, true, null],
      [2, "2026-11-25T10:00Z", "posted", 1, true, null],
    ]);
  });

  it("a process killed after Discord took its post: the next one sends it again after the lease, with the same nonce", async () => {
    const env = {
      DATABASE_URL: test.url,
      DISCORD_TOKEN: BOT_TOKEN,
      DISCORD_API_BASE: discord.apiBase,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      LEADERBOARD_POST_LEASE_SECONDS: "60",
    };
    const mark = discord.rest.requests.length;
    const posts = () =>
      discord.rest
        .since(mark)
        .filter((r) => r.method === "POST" && r.path === `/api/v10/channels/${DISCORD_CHANNEL}/messages`);

    // Monday 30 November, 09:00: the killed process has sent Discord the day's board and died.
    const killed = startWorker({ ...env, WORKER_DIES_AFTER_SENDING: "1" }, ["2026-11-30T09:00:00Z"]);
    killed.done.catch(() => {}); // it exits by the signal, not with 0
    await killed.ready;
    void killed.tick();
    expect(await killed.exit).toBe("SIGKILL");
    expect(posts()).toHaveLength(1);
    const claim = () =>
      test.db.prisma.leaderboardPost.findUniqueOrThrow({
        where: { scheduleId_periodKey: { scheduleId: 1, periodKey: "2026-11-30T09:00Z" } },
      });
    const dead = await claim();
    expect([dead.status, dead.attempts, dead.postedAt]).toEqual(["sending", 1, null]);

    // The next process leaves the claim alone within the lease, sends it once after, then nothing.
    const next = startWorker(env, ["2026-11-30T09:00:30Z", "2026-11-30T09:01:00Z", "2026-11-30T09:02:00Z"]);
    await next.ready;
    await next.tick();
    expect(posts()).toHaveLength(1);
    await next.tick();
    expect(posts()).toHaveLength(2);
    await next.tick();
    const output = await next.done;
    expect(JSON.parse(output.trim().split("\n").at(-1)!)).toEqual({ posted: 1 });
    expect(posts()).toHaveLength(2);
    const taken = await claim();
    expect([taken.status, taken.attempts, taken.postedAt !== null]).toEqual(["posted", 2, true]);
    expect(taken.owner).not.toBe(dead.owner);
    // The same nonce both times: Discord answers the second with the first message, not a new one.
    const [first, second] = posts().map(payloadOf) as Array<{ nonce: string; enforce_nonce: boolean }>;
    expect(first!.enforce_nonce).toBe(true);
    expect(second).toEqual(first);
  });
});
