// 10,000 console commands through the real console front end, dispatcher and embedded database:
// throughput, and the heap after garbage collection at intervals (flat means no leak).
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { silentLogger } from "#src/log.ts";
import { ConsoleFrontEnd } from "#src/platforms/console/console.ts";
import { defineSuite } from "./harness.ts";

const SCRIPT = [
  "@mod /admin credit user:@u{n} amount:1.5 token:USDC reason:bench",
  "@u{n} /balance",
  "@u{n} /history",
  "@u{n} /help",
  '@mod /admin debit user:@u{n} amount:0.5 token:USDC reason:"bench back"',
];

const heapMiB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

export default defineSuite({
  name: "console",
  description: "10,000 console commands: throughput and heap growth",
  async run(ctx) {
    const total = ctx.quick ? 1000 : 10_000;
    const { db, drop } = await ctx.database("pglite");
    try {
      const app = await createApp(
        loadConfig({ LOG_LEVEL: "silent", MODERATORS: "console:mod" }),
        db,
        silentLogger,
      );
      let bytes = 0;
      const front = new ConsoleFrontEnd(app.dispatcher as never, {
        defaultUser: "you",
        json: true,
        color: false,
        imageDir: "data/bench-images",
        write: (text) => {
          bytes += text.length;
        },
      });
      const users = 50;
      for (let n = 0; n < users; n++) await front.runLine(`@u${n} /help`);
      const samples: Array<{ at: number; heapMiB: number; rssMiB: number }> = [];
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        await front.runLine(
          SCRIPT[i % SCRIPT.length]!.replaceAll("{n}", String(Math.floor(i / SCRIPT.length) % users)),
        );
        if ((i + 1) % (total / 10) === 0) {
          samples.push({ at: i + 1, heapMiB: heapMiB(), rssMiB: process.memoryUsage().rss / 2 ** 20 });
          ctx.log(`console: ${i + 1} commands, heap ${samples.at(-1)!.heapMiB.toFixed(1)} MiB`);
        }
      }
      const seconds = (performance.now() - start) / 1000;
      const second = samples[1]!;
      const last = samples.at(-1)!;
      const gcNote = (globalThis as { gc?: unknown }).gc
        ? ""
        : " (no --expose-gc: heap figures include garbage)";
      return [
        {
          suite: "console",
          case: `${total} commands`,
          database: "pglite" as const,
          value: total / seconds,
          unit: "commands/s",
          notes: `${front.internalErrors} internal errors; ${Math.round(bytes / 1024)} KiB of output`,
        },
        {
          suite: "console",
          case: `heap after ${second.at} vs ${last.at}`,
          database: "pglite" as const,
          value: last.heapMiB - second.heapMiB,
          unit: "MiB growth",
          peakRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
          notes: `heap ${second.heapMiB.toFixed(1)} -> ${last.heapMiB.toFixed(1)} MiB${gcNote}`,
        },
      ];
    } finally {
      await drop();
    }
  },
});
