// A bot process for the scheduled-posts test: opens the app on the PostgreSQL database given in
// DATABASE_URL, posts to Discord and Telegram through the URLs given (the test's fake APIs), and runs
// the leaderboard-posts job at each tick given on the command line, as the scheduler would.
// The test keeps the processes' clocks together: each tick waits for a "go" line on stdin and says
// "ticked" when done (two real processes' clocks differ by moments, not by days, and the claims'
// lease is measured against them). Prints one JSON line at the end: what this process posted.
// With WORKER_DIES_AFTER_SENDING=1 the process kills itself right after Discord has its first post,
// before it can record it: a crash at the worst moment.
import { createInterface } from "node:readline";
import { Bot } from "grammy";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { ManualClock } from "#src/core/clock.ts";
import { openDatabase } from "#src/db/database.ts";
import { leaderboardPostsJob } from "#src/leaderboards/posts-job.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { discordSender } from "#src/platforms/discord/sender.ts";
import { telegramSender } from "#src/platforms/telegram/sender.ts";

const config = loadConfig({ ...process.env, LOG_LEVEL: "silent" });
const db = await openDatabase({ url: config.DATABASE_URL, poolSize: 4 });
const clock = new ManualClock();
const app = await createApp(config, db, silentLogger, clock);
const discord = createDiscordClient({ apiBase: config.DISCORD_API_BASE, token: config.DISCORD_TOKEN! });
const discordPosts = discordSender(discord.rest, { hasBotToken: true });
app.services.notifier.register(
  process.env.WORKER_DIES_AFTER_SENDING === "1"
    ? {
        ...discordPosts,
        async postToChannel(channelId, message, options) {
          await discordPosts.postToChannel(channelId, message, options);
          process.kill(process.pid, "SIGKILL");
        },
      }
    : discordPosts,
);
const bot = new Bot(config.TELEGRAM_BOT_TOKEN!, { client: { apiRoot: config.TELEGRAM_API_ROOT } });
app.services.notifier.register(telegramSender(bot.api));

// Both processes start each tick together, once both are ready, so their claims really race.
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

let posted = 0;
for (const tick of process.argv.slice(2)) {
  await lines.next(); // "go"
  const now = new Date(tick);
  clock.set(now);
  const minute = now.toISOString().slice(0, 16);
  const outcome = await leaderboardPostsJob.run({
    period: { key: minute, start: now, end: new Date(now.getTime() + 60_000) },
    key: `${leaderboardPostsJob.name}:${minute}`,
    services: app.services,
    log: silentLogger,
    now,
  });
  posted += Number((outcome.data as { posted: number }).posted);
  process.stdout.write("ticked\n");
}
await discord.destroy();
await app.close();
process.stdin.destroy();
process.stdout.write(`${JSON.stringify({ posted })}\n`);
