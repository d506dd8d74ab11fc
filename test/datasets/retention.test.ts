// The recording-retention job: an upload settled below its factory's threshold keeps its files for
// RECORDING_RETENTION_DAYS, then they are deleted (the actions stay); a paid upload keeps its files.
import { expect, it } from "vitest";
import { DAY } from "#src/core/clock.ts";
import { recordingRetentionJob } from "#src/datasets/datasets-jobs.ts";
import { silentLogger } from "#src/log.ts";
import { FIXTURE_DIR, filesOf, writeDemo } from "#test/economy/demo-files.ts";
import { describeConsole } from "#test/helpers/console.ts";

describeConsole(
  "the recording-retention job",
  (get) => {
    it("deletes an unpaid upload's files after the retention period, and keeps a paid one's", async () => {
      const h = get();
      const factory = (name: string) =>
        `@cora /factory create name:${name} token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart" ref:task_2`;
      const setup = await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:100 token:USDC reason:grant
        ${factory("Strict")}
        ${factory("Lenient")}
        @cora /pool fund factory:1 amount:1
        @cora /confirm
        @cora /pool fund factory:2 amount:1
        @cora /confirm
      `);
      expect(setup.filter((r) => r.code !== "ok" && r.code !== "confirmation_required")).toEqual([]);
      // The real recording scores 37: below factory 1's threshold (50), above factory 2's.
      await h.app.db.prisma.factory.update({ where: { id: 2 }, data: { qualityThreshold: 30 } });
      expect((await h.one(`@fay /submit factory:1 ${filesOf(FIXTURE_DIR)}`)).code).toBe("ok");
      expect(
        (await h.one(`@gus /submit factory:2 ${writeDemo("retention-paid", { id: "paid_1" })}`)).code,
      ).toBe("ok");
      await h.app.drain();
      const files = await h.app.db.prisma.submissionFile.findMany({ orderBy: { id: "asc" } });
      const unpaid = files.filter((f) => f.submissionId === 1);
      const paid = files.filter((f) => f.submissionId === 2);
      expect(unpaid.map((f) => f.role).sort()).toEqual(["actions", "log", "meta"]);
      const { blobs } = h.app.services;

      const run = async () => {
        const now = h.clock.now();
        return recordingRetentionJob.run({
          period: { key: now.toISOString(), start: now, end: now },
          key: `recording-retention:${now.toISOString()}`,
          services: h.app.services,
          log: silentLogger,
          now,
        });
      };
      h.clock.advance(29 * DAY);
      expect((await run()).data).toEqual({ submissions: 0, blobs: 0 });
      for (const f of unpaid) expect(await blobs.has(f.sha256)).toBe(true);

      h.clock.advance(2 * DAY);
      const purged = await run();
      expect(purged.data).toMatchObject({ submissions: 1 });
      const left = await h.app.db.prisma.submissionFile.findMany({ where: { submissionId: 1 } });
      expect(left.map((f) => f.role)).toEqual(["actions"]);
      expect(await blobs.has(left[0]!.sha256)).toBe(true);
      // The paid upload is the same recording under another id: its log is the same blob, so the
      // log stays; the unpaid upload's own meta.json is gone.
      const unpaidMeta = unpaid.find((f) => f.role === "meta")!;
      expect(await blobs.has(unpaidMeta.sha256)).toBe(false);
      for (const f of paid) expect(await blobs.has(f.sha256)).toBe(true);
      const row = await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } });
      expect(row.filesPurgedAt).toEqual(h.clock.now());
      // A second run finds nothing more to do.
      expect((await run()).data).toEqual({ submissions: 0, blobs: 0 });
    });
  },
  { kinds: ["pglite", "postgres"], moderators: ["mod"] },
);
