// Issue 12, "exports are streamed": /dataset export of 1,000 generated demonstrations (meta.json, an
// input_log.jsonl, a video and the actions each, in the disk blob store) builds a package far larger
// than the memory it may use. The figures: the export's time and its peak RSS growth over the RSS
// before it, beside zipping the very same files with yazl alone (no database, no manifest). The
// timed loops must have done their work: each zip is opened and its entries counted.
import { createHash } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";
import yazl from "yazl";
import { createApp } from "#src/app.ts";
import { loadConfig } from "#src/config.ts";
import { silentLogger } from "#src/log.ts";
import { noise } from "#test/grading/fixture.ts";
import { defineSuite, withPeakRss } from "./harness.ts";

const LOG_BYTES = 48 * 1024;
const VIDEO_BYTES = 160 * 1024;

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

function entryCount(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error) return reject(error);
      resolve(zip.entryCount);
      zip.close();
    }),
  );
}

export default defineSuite({
  name: "export",
  description: "/dataset export of 1,000 generated demonstrations: streamed (RSS flat), beside yazl alone",
  async run(ctx) {
    const count = ctx.quick ? 100 : 1000;
    const dir = mkdtempSync(join(tmpdir(), "forgebot-export-bench-"));
    const { db, drop } = await ctx.database("pglite");
    try {
      const app = await createApp(
        loadConfig({ LOG_LEVEL: "silent", MODERATORS: "console:mod", STORAGE_DIR: join(dir, "storage") }),
        db,
        silentLogger,
      );
      const { blobs, datasets } = app.services;
      const now = new Date("2026-12-03T12:00:00Z");
      const factory = await db.prisma.factory.create({
        data: {
          creatorUserId: 1,
          name: "Bench",
          token: "USDC",
          bidAtoms: "1000000",
          feePolicy: "clones",
          depositFeePercent: "0",
          setupFeeAtoms: "0",
          setupFeeToken: "USDC",
          rewardFeePercent: "10",
          qualityThreshold: 50,
          createdAt: now,
          tasks: { create: { ref: "task_1", title: "Bench task", app: "Bench", objectives: [] } },
        },
        include: { tasks: true },
      });
      // The same files for the yazl-only zip: name in the zip -> blob.
      const files: Array<{ path: string; sha256: string; size: number }> = [];
      for (let i = 0; i < count; i++) {
        const meta = Buffer.from(
          JSON.stringify({ id: `rec_${i}`, timestamp: now.toISOString(), duration_seconds: 60 }),
        );
        const log = Buffer.from(noise(LOG_BYTES, i + 1))
          .toString("base64")
          .slice(0, LOG_BYTES);
        const video = Buffer.from(noise(VIDEO_BYTES, i + 100_000));
        const actions = `${JSON.stringify({ kind: "click", atMs: i, durationMs: 1, detail: "click" })}\n`;
        const stored = [];
        for (const [role, name, bytes] of [
          ["meta", "meta.json", meta],
          ["log", "input_log.jsonl", Buffer.from(log)],
          ["video", "screen.mp4", video],
          ["actions", "actions.jsonl", Buffer.from(actions)],
        ] as const) {
          const ref = await blobs.put(Readable.from([bytes]));
          stored.push({ role, name, ...ref });
          files.push({
            path: role === "actions" ? `actions/${i}.jsonl` : `demonstrations/${i}/${name}`,
            ...ref,
          });
        }
        await db.prisma.submission.create({
          data: {
            factoryId: factory.id,
            taskId: factory.tasks[0]!.id,
            farmerUserId: 1000 + (i % 50),
            contentHash: createHash("sha256").update(`bench ${i}`).digest("hex"),
            status: "settled",
            score: 50 + (i % 51),
            grade: { breakdown: { outcome: 30, process: 20, efficiency: 5 } },
            bidAtoms: "1000000",
            expiresAt: now,
            payload: {
              demonstration: { meta: { timestamp: now.toISOString(), durationSeconds: 60 } },
              processed: { summary: { counts: { click: 1, drag: 0, scroll: 0, type: 0, hotkey: 0 } } },
              actionsSha256: stored[3]!.sha256,
            },
            summary: {},
            createdAt: now,
            files: {
              create: stored.map((f) => ({
                role: f.role,
                name: f.name,
                sha256: f.sha256,
                sizeBytes: BigInt(f.size),
                createdAt: now,
              })),
            },
          },
        });
      }
      const totalMiB = files.reduce((sum, f) => sum + f.size, 0) / 2 ** 20;
      ctx.log(`export: ${count} demonstrations stored, ${totalMiB.toFixed(0)} MiB of files`);

      (globalThis as { gc?: () => void }).gc?.();
      const before = rssMiB();
      const started = performance.now();
      const exported = await withPeakRss(() =>
        datasets.export({
          actor: {
            userId: 1,
            displayName: "bench",
            isModerator: true,
            platform: "console",
            platformUserId: "mod",
          },
          key: "bench-export",
          now,
          factoryId: factory.id,
        }),
      );
      const exportSeconds = (performance.now() - started) / 1000;
      const packagePath = join(dir, "package.zip");
      await pipeline(await blobs.get(exported.result.sha256), createWriteStream(packagePath));
      const exportEntries = await entryCount(packagePath);
      if (exported.result.demonstrations !== count || exportEntries !== 2 + count * 4)
        throw new Error(
          `the export holds ${exported.result.demonstrations} demonstrations, ${exportEntries} entries`,
        );

      (globalThis as { gc?: () => void }).gc?.();
      const beforeAlone = rssMiB();
      const startedAlone = performance.now();
      const alonePath = join(dir, "alone.zip");
      const alone = await withPeakRss(async () => {
        const zip = new yazl.ZipFile();
        for (const file of files)
          zip.addReadStreamLazy(
            file.path,
            { size: file.size, compress: !file.path.endsWith(".mp4") },
            (done) => {
              blobs.get(file.sha256).then(
                (stream) => done(null, stream),
                (error: unknown) => done(error, undefined as never),
              );
            },
          );
        zip.end();
        await pipeline(zip.outputStream, createWriteStream(alonePath));
      });
      void alone.result;
      const aloneSeconds = (performance.now() - startedAlone) / 1000;
      const aloneEntries = await entryCount(alonePath);
      if (aloneEntries !== count * 4) throw new Error(`yazl alone wrote ${aloneEntries} entries`);

      const packageMiB = exported.result.sizeBytes / 2 ** 20;
      return [
        {
          suite: "export",
          case: `${count} demonstrations, /dataset export`,
          database: "pglite" as const,
          value: exportSeconds,
          unit: "s",
          ceiling: aloneSeconds,
          ratio: exportSeconds / aloneSeconds,
          peakRssMiB: exported.peakRssMiB,
          notes: `package ${packageMiB.toFixed(0)} MiB, ${exportEntries} entries; RSS +${(exported.peakRssMiB - before).toFixed(0)} MiB over ${before.toFixed(0)} MiB`,
        },
        {
          suite: "export",
          case: `${count} demonstrations, yazl alone`,
          value: aloneSeconds,
          unit: "s",
          peakRssMiB: alone.peakRssMiB,
          notes: `${aloneEntries} entries; RSS +${(alone.peakRssMiB - beforeAlone).toFixed(0)} MiB over ${beforeAlone.toFixed(0)} MiB`,
        },
      ];
    } finally {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
