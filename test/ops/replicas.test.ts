// Three bot processes on one fresh PostgreSQL database, as an operator runs replicas behind a load
// balancer: Discord over the signed HTTP interactions endpoint (against a fake REST API on
// loopback), Telegram by webhook (against a fake Bot API), the scheduler on in each. Traffic is
// spread across them; one is killed with kill -9 mid-run (its scheduler busy) and restarted.
// Every command is answered once, every job period runs once, the scheduled post goes out once,
// the books balance and nothing is paid twice; /metrics, scraped during the run, agrees with the
// database.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { silentLogger } from "#src/log.ts";
import { createTestDatabase, postgresAvailable, type TestDatabase } from "#test/helpers/db.ts";
import { discordFixture, slashCommand } from "#test/helpers/discord-payloads.ts";
import { type FakeDiscord, startFakeDiscord } from "#test/helpers/fake-discord.ts";
import {
  type FakeTelegram,
  methodOf,
  startFakeTelegram,
  TELEGRAM_TOKEN,
} from "#test/helpers/fake-telegram.ts";
import { GROUP, textMessage } from "#test/helpers/telegram-updates.ts";
import { type BotProcess, killBots, startBot } from "./fixtures/bot-process.ts";
import { metricValue, parseMetrics, type Sample } from "./prometheus-text.ts";

const SECRET = "a-webhook-secret-for-tests_123456";
const METRICS_TOKEN = "scrape-token-for-the-tests-0123";
const MOD = { id: 4_100_000, first_name: "Mod", username: "mod" };
const FARMERS = Array.from({ length: 18 }, (_, i) => ({
  id: 4_200_000 + i,
  first_name: `Farmer ${i}`,
  username: `farmer${i}`,
}));
const DISCORD_MEMBERS = Array.from({ length: 9 }, (_, i) => ({
  id: String(1_300_000_000_000_000_100n + BigInt(i)),
  username: `member${i}`,
}));
/** Jobs ticking every two seconds, so a run of a minute and a half spans dozens of periods. */
const FAST_JOBS = ["withdrawals", "reservation-expiry", "pending-grades", "leaderboard-posts"] as const;

interface Delivered {
  replica: number;
  status: number;
  /** A Discord interaction's response type: 4, answered in it; 5, deferred and edited in. */
  answerType?: number;
}

(postgresAvailable() ? describe : describe.skip)("three replicas on one database [postgres]", () => {
  let test: TestDatabase;
  let discord: FakeDiscord;
  let telegram: FakeTelegram;
  let privateKey: KeyObject;
  let publicKeyHex = "";
  const bots: BotProcess[] = [];
  const ports: number[] = [];

  beforeAll(async () => {
    const keys = generateKeyPairSync("ed25519");
    privateKey = keys.privateKey;
    publicKeyHex = Buffer.from(keys.publicKey.export({ format: "jwk" }).x!, "base64url").toString("hex");
    [discord, telegram] = await Promise.all([startFakeDiscord(), startFakeTelegram()]);
    test = await createTestDatabase("postgres", { poolSize: 2 });
    // A daily leaderboard post in the Telegram group, due at the next minute (at most one a day's
    // hour and minute is allowed), set up by a moderator.
    const due = new Date(Math.ceil((Date.now() + 1_000) / 60_000) * 60_000);
    const app = await createApp(
      loadConfig({ DATABASE_URL: test.url, LOG_LEVEL: "silent" }),
      test.db,
      silentLogger,
    );
    const mod = await app.services.identity.ensureUser({
      platform: "telegram",
      id: String(MOD.id),
      displayName: MOD.first_name,
      username: MOD.username,
    });
    await app.services.leaderboards.schedules.schedule({
      actor: {
        userId: mod.userId,
        displayName: MOD.first_name,
        isModerator: true,
        platform: "telegram",
        platformUserId: String(MOD.id),
      },
      key: "replicas-schedule",
      now: app.services.clock.now(),
      channel: { platform: "telegram", id: String(GROUP.id) },
      board: "farmers",
      period: "all",
      cron: `${due.getUTCMinutes()} ${due.getUTCHours()} * * *`,
    });
  });

  afterAll(async () => {
    killBots();
    await test?.drop();
    await Promise.all([discord?.close(), telegram?.close()]);
  });

  const env = (): Record<string, string> => ({
    DATABASE_URL: test.url,
    DATABASE_POOL_SIZE: "3",
    MODERATORS: `telegram:${MOD.id}`,
    DISCORD_PUBLIC_KEY: publicKeyHex,
    DISCORD_API_BASE: discord.apiBase,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_WEBHOOK_URL: "https://bot.example.com/hooks/telegram",
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: "0",
    METRICS_TOKEN,
    // The test's moderator credits in bursts far beyond a member's pace; the per-member limits
    // (shared by replicas through the database) have their own test in test/core/rate-limits.test.ts.
    RATE_LIMIT_POINTS: "0",
    JOB_SCHEDULES: FAST_JOBS.map((job) => `${job}=*/2 * * * * *`).join(";"),
    // A killed process's run is taken over within seconds.
    JOB_LEASE_SECONDS: "3",
    LOG_LEVEL: "info",
  });

  const start = async (index: number) => {
    const bot = startBot(`replica-${index}`, env());
    bots[index] = bot;
    ports[index] = await bot.ready;
    return bot;
  };

  const telegramUpdate = async (replica: number, update: unknown): Promise<Delivered> => {
    const response = await fetch(`http://127.0.0.1:${ports[replica]}/hooks/telegram`, {
      method: "POST",
      body: JSON.stringify(update),
      headers: { "x-telegram-bot-api-secret-token": SECRET },
    });
    await response.arrayBuffer();
    return { replica, status: response.status };
  };

  const discordInteraction = async (replica: number, interaction: unknown): Promise<Delivered> => {
    const body = JSON.stringify(interaction);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
    const response = await fetch(`http://127.0.0.1:${ports[replica]}/discord/interactions`, {
      method: "POST",
      body,
      headers: { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp },
    });
    const text = await response.text();
    const json = response.headers.get("content-type")?.startsWith("application/json");
    const answer = json ? (JSON.parse(text) as { type?: number }) : undefined;
    return { replica, status: response.status, ...(answer?.type ? { answerType: answer.type } : {}) };
  };

  const scrape = async (replica: number): Promise<Sample[]> => {
    const response = await fetch(`http://127.0.0.1:${ports[replica]}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return parseMetrics(await response.text());
  };

  const telegramRepliesTo = (chatId: number) =>
    telegram.api.requests.filter((r) => methodOf(r) === "sendMessage" && Number(r.body?.chat_id) === chatId);

  it("serves every command once, runs every period once and pays nothing twice, with one replica killed", {
    timeout: 240_000,
  }, async () => {
    const began = performance.now();
    await Promise.all([0, 1, 2].map(start));
    const startedMs = Math.round(performance.now() - began);
    const live = [0, 1, 2];
    let turn = 0;
    const next = () => live[turn++ % live.length]!;

    // Wave 1: every member introduces themselves (/balance), spread across the three.
    const wave1 = await Promise.all([
      ...FARMERS.map((farmer) => telegramUpdate(next(), textMessage(farmer, "/balance"))),
      ...DISCORD_MEMBERS.map((member) =>
        discordInteraction(
          next(),
          slashCommand(discordFixture("slash-command-integer-option.real-capture.dsharpplus"), member, [
            "balance",
          ]),
        ),
      ),
    ]);
    expect(wave1.map((d) => d.status)).toEqual(wave1.map(() => 200));

    // Scraped during the run: the three together counted each /balance once.
    const midScrapes = await Promise.all(live.map(scrape));
    const balances = midScrapes.map(
      (s) => metricValue(s, "forgebot_commands_total", { command: "balance", outcome: "ok" }) ?? 0,
    );
    expect(balances.reduce((a, b) => a + b, 0)).toBe(FARMERS.length + DISCORD_MEMBERS.length);
    expect(balances.every((count) => count > 0)).toBe(true);

    // Wave 2, first half: the moderator credits half the farmers, spread across the three.
    const credit = (farmer: (typeof FARMERS)[number]) =>
      textMessage(MOD, `/admin credit user:@${farmer.username} amount:1 token:USDC reason:wave2`);
    const firstHalf = FARMERS.slice(0, 9);
    const secondHalf = FARMERS.slice(9);
    const creditsBefore = await Promise.all(
      firstHalf.map((farmer) => telegramUpdate(next(), credit(farmer))),
    );
    expect(creditsBefore.map((d) => d.status)).toEqual(creditsBefore.map(() => 200));

    // Replica 1 goes: scraped (no more traffic is sent to it), then killed with SIGKILL.
    const victim = 1;
    live.splice(live.indexOf(victim), 1);
    const victimScrape = await scrape(victim);
    const victimOwner = (await bots[victim]!.waitForLog((l) => l.msg === "scheduler started"))
      .owner as string;
    // Killed in the middle of a job run when one can be caught (runs take milliseconds): the
    // others must take that period over after the lease, not run it a second time.
    const lookUntil = performance.now() + 10_000;
    while (performance.now() < lookUntil) {
      const holding = await test.db.prisma.jobRun.count({ where: { owner: victimOwner, status: "running" } });
      if (holding > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    bots[victim]!.child.kill("SIGKILL");
    expect(await bots[victim]!.exited).toEqual({ code: null, signal: "SIGKILL" });
    const killedAt = performance.now();
    // What the dead process still held (if it was mid-run): the others take it over after the lease.
    const heldByVictim = await test.db.prisma.jobRun.findMany({
      where: { owner: victimOwner, status: "running" },
    });

    // The second half goes to the two left, then the victim comes back and takes its share.
    const creditsDuring = await Promise.all(
      secondHalf.slice(0, 5).map((farmer) => telegramUpdate(next(), credit(farmer))),
    );
    await start(victim);
    const restartMs = Math.round(performance.now() - killedAt);
    live.push(victim);
    const creditsAfter = await Promise.all(
      secondHalf.slice(5).map((farmer) => telegramUpdate(next(), credit(farmer))),
    );
    for (const d of [...creditsDuring, ...creditsAfter]) expect(d.status).toBe(200);

    // Keep going until the scheduled post of a minute has gone out and jobs ran on the restarted one.
    const deadline = performance.now() + 75_000;
    while (performance.now() < deadline) {
      const posted = await test.db.prisma.leaderboardPost.count({ where: { status: "posted" } });
      const restartedRuns = bots[victim]!.logs.filter((l) => l.msg === "job run done").length;
      // Enough periods of every fast job to show none was skipped or run twice across the kill.
      const runsPerJob = await Promise.all(
        FAST_JOBS.map((job) => test.db.prisma.jobRun.count({ where: { job } })),
      );
      if (posted >= 1 && restartedRuns >= 3 && Math.min(...runsPerJob) > 10) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }

    // Every Telegram member got one answer per command (their /balance) and the notice of the
    // moderator's credit, each exactly once, whichever replica served them or died meanwhile.
    for (const farmer of FARMERS) {
      const texts = telegramRepliesTo(farmer.id).map((r) => String(r.body?.text));
      expect(texts).toHaveLength(2);
      expect(texts.filter((text) => text.includes("A moderator added 1 USDC to your balance"))).toHaveLength(
        1,
      );
    }
    expect(telegramRepliesTo(MOD.id)).toHaveLength(FARMERS.length);
    for (const text of telegramRepliesTo(MOD.id).map((r) => String(r.body?.text)))
      expect(text).toMatch(/^Credited 1 USDC to Farmer \d+ \(reason: wave2\)\./);
    // Every Discord interaction: answered in its HTTP response (type 4), or deferred there (type 5)
    // and then exactly one edit with the answer.
    const discordAnswers = wave1.filter((d) => d.answerType !== undefined).map((d) => d.answerType);
    expect(discordAnswers).toHaveLength(DISCORD_MEMBERS.length);
    expect(discordAnswers.every((type) => type === 4 || type === 5)).toBe(true);
    const deferred = discordAnswers.filter((type) => type === 5).length;
    const edits = discord.rest.requests.filter(
      (r) => r.method === "PATCH" && r.path.includes("/messages/@original"),
    );
    expect(edits).toHaveLength(deferred);
    expect(new Set(edits.map((r) => r.path)).size).toBe(deferred);

    // Nothing paid twice: one credit per farmer, each balance exactly 1 USDC, the books balance.
    const credits = await test.db.prisma.transfer.findMany({ where: { code: "admin.credit" } });
    expect(credits).toHaveLength(FARMERS.length);
    const audit = await auditLedger(test.db);
    expect(audit.problems).toEqual([]);
    const balanceRows = await test.db.prisma.$queryRawUnsafe<Array<{ balance: string }>>(
      `SELECT a.balance::text AS balance FROM accounts a
       JOIN platform_accounts p ON p.user_id::text = a.owner_id AND a.owner_type = 'user'
       WHERE p.platform = 'telegram' AND p.platform_user_id = ANY($1::text[]) AND a.token = 'USDC' AND a.purpose = 'main'`,
      FARMERS.map((f) => String(f.id)),
    );
    expect(balanceRows.map((r) => r.balance)).toEqual(FARMERS.map(() => "1000000"));

    // Every job period ran once: for each fast job, the periods from its first to its last run are
    // all there (none skipped, even across the kill), each done, none twice (and none still held
    // by the dead process).
    for (const job of FAST_JOBS) {
      const runs = await test.db.prisma.jobRun.findMany({ where: { job }, orderBy: { periodStart: "asc" } });
      expect(runs.length).toBeGreaterThan(10);
      const settled = runs.filter((r) => r.status === "done");
      // The newest period may still be running as we look.
      expect(runs.length - settled.length).toBeLessThanOrEqual(1);
      for (let i = 1; i < runs.length; i++)
        expect(runs[i]!.periodStart.getTime(), `${job} period after ${runs[i - 1]!.periodKey}`).toBe(
          runs[i - 1]!.periodEnd.getTime(),
        );
      expect(new Set(runs.map((r) => r.periodKey)).size).toBe(runs.length);
    }
    // A run the dead process held was finished by another, not run again from scratch by a second.
    for (const held of heldByVictim) {
      const now = await test.db.prisma.jobRun.findUniqueOrThrow({ where: { id: held.id } });
      expect(now.status).toBe("done");
      expect(now.owner).not.toBe(victimOwner);
    }
    // The scheduled post went out once per minute it was due, through Telegram's API.
    const posts = await test.db.prisma.leaderboardPost.findMany();
    expect(posts.length).toBeGreaterThanOrEqual(1);
    for (const post of posts) expect(post).toMatchObject({ status: "posted", attempts: 1 });
    const photos = telegram.api.requests.filter(
      (r) => methodOf(r) === "sendPhoto" && Number(r.body?.chat_id) === GROUP.id,
    );
    expect(photos).toHaveLength(posts.length);

    // /metrics agrees with the database: the victim's last scrape plus the three now live count
    // each credit once; each live process's job runs are the runs the database says it finished.
    const finalScrapes = await Promise.all([0, 1, 2].map(scrape));
    const creditCounts = [victimScrape, ...finalScrapes].map(
      (s) => metricValue(s, "forgebot_ledger_transfers_total", { code: "admin.credit" }) ?? 0,
    );
    expect(creditCounts.reduce((a, b) => a + b, 0)).toBe(credits.length);
    const commandCounts = [victimScrape, ...finalScrapes].map(
      (s) => metricValue(s, "forgebot_commands_total", { command: "admin credit", outcome: "ok" }) ?? 0,
    );
    expect(commandCounts.reduce((a, b) => a + b, 0)).toBe(FARMERS.length);
    const agreement: string[] = [];
    for (const index of [0, 1, 2]) {
      const owner = (await bots[index]!.waitForLog((l) => l.msg === "scheduler started")).owner as string;
      // Counted and recorded can differ by a run finishing between the two reads: read until stable.
      for (let attempt = 1; ; attempt++) {
        const before = metricValue(await scrape(index), "forgebot_job_runs_total") ?? 0;
        const recorded = await test.db.prisma.jobRun.count({
          where: { owner, status: { in: ["done", "failed"] } },
        });
        const after = metricValue(await scrape(index), "forgebot_job_runs_total") ?? 0;
        if (before === after || attempt === 5) {
          expect(after).toBe(recorded);
          agreement.push(`replica-${index}: ${after} job runs counted, ${recorded} recorded`);
          break;
        }
      }
    }
    const pools = finalScrapes.map((s) =>
      metricValue(s, "forgebot_withdrawals_pending", { status: "pending" }),
    );
    expect(pools).toEqual([0, 0, 0]);
    console.log(
      [
        `three replicas started in ${startedMs} ms; the killed one was back in ${restartMs} ms`,
        `runs held by the killed process at the kill: ${heldByVictim.map((r) => `${r.job} ${r.periodKey}`).join(", ") || "none"}`,
        `credits counted per scrape (victim before kill, then 0, 1, 2): ${creditCounts.join(", ")} = ${credits.length} transfers in the database`,
        ...agreement,
        `whole run: ${Math.round(performance.now() - began)} ms`,
      ].join("\n"),
    );
  });
});
