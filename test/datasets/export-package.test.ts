// Must show (issue 12): the real recording, uploaded loose and as a zip with a video, is settled,
// exported, and the package unzipped: every file byte for byte as uploaded, the manifest's hashes
// and sizes, the card's counts, and no platform name or id of a farmer anywhere in it. On the disk
// store and on the S3 store (s3rver on loopback).
import { afterAll, expect, it } from "vitest";
import { FIXTURE_DIR, filesOf } from "#test/economy/demo-files.ts";
import { fixtureLog, fixtureMeta } from "#test/grading/fixture.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { startLoopbackS3 } from "#test/helpers/s3rver.ts";
import { sha256, unzip, zipWithVideo } from "./package-helpers.ts";

// Names that cannot turn up in a recording by chance: a leak of either is a leak.
const FARMERS = ["zebulonfarmer", "quillonfarmer"];

const s3 = await startLoopbackS3("datasets");
afterAll(() => s3.stop());

// The real 11-second recording scores 37 with the built-in rubric: the pools pay from 30 here.
const PAY_FROM = { QUALITY_THRESHOLD: "30" };
const stores = {
  disk: PAY_FROM,
  s3: {
    ...PAY_FROM,
    STORAGE_BACKEND: "s3",
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_FORCE_PATH_STYLE: "true",
    S3_PREFIX: "forgebot/",
    DATASET_SECRET: "a-test-dataset-secret-of-more-than-32-characters",
  },
};

for (const [store, env] of Object.entries(stores)) {
  describeConsole(
    `a dataset package on the ${store} store`,
    (get) => {
      it("holds every uploaded file byte for byte, hashed in the manifest, counted in the card, farmers pseudonymous", async () => {
        const h = get();
        const zipped = await zipWithVideo();
        await h.run(`
          @cora /balance
          @mod /admin credit user:@cora amount:100 token:USDC reason:grant
          @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart; Ensure smooth transition between selection and checkout; Test functionality thoroughly" ref:task_2
          @cora /pool fund factory:1 amount:1
          @cora /confirm
        `);
        const loose = await h.one(`@${FARMERS[0]} /submit factory:1 ${filesOf(FIXTURE_DIR)}`);
        const zip = await h.one(`@${FARMERS[1]} /submit factory:1 file:file:${zipped.path}`);
        expect([loose.code, zip.code]).toEqual(["ok", "ok"]);
        await h.app.drain();
        const rows = await h.app.db.prisma.submission.findMany({
          orderBy: { id: "asc" },
          include: { files: true },
        });
        expect(rows.map((r) => r.status)).toEqual(["settled", "settled"]);
        const threshold = h.app.config.QUALITY_THRESHOLD;
        for (const row of rows) expect(row.score).toBeGreaterThanOrEqual(threshold);
        // The actions are in the store, not in the payload column.
        for (const row of rows) expect(JSON.stringify(row.payload)).not.toContain('"actions":[');

        // A member who is neither the creator nor a moderator may not download, nor export.
        const refused = await h.one(`@${FARMERS[0]} /dataset download factory:1`);
        expect(refused.code).toBe("not_allowed");
        expect((await h.one(`@${FARMERS[0]} /dataset export factory:1`)).code).toBe("not_allowed");

        const info = await h.one("@cora /dataset info factory:1");
        expect(info.data).toMatchObject({ demonstrations: 2, withVideo: 1, versions: [] });

        const exported = await h.one("@cora /dataset export factory:1");
        expect(exported.code).toBe("ok");
        expect(exported.data).toMatchObject({ version: 1, demonstrations: 2 });
        const downloaded = await h.one("@cora /dataset download factory:1");
        expect(downloaded.code).toBe("ok");
        const { path } = downloaded.data as { path: string };
        const entries = await unzip(path);

        const [first, second] = rows.map((r) => r.id) as [number, number];
        const expected = new Map<string, Uint8Array>([
          [`demonstrations/${first}/meta.json`, fixtureMeta],
          [`demonstrations/${first}/input_log.jsonl`, fixtureLog],
          [`demonstrations/${second}/meta.json`, zipped.files["meta.json"]!],
          [`demonstrations/${second}/input_log.jsonl`, zipped.files["input_log.jsonl"]!],
          [`demonstrations/${second}/screen.mp4`, zipped.files["screen.mp4"]!],
        ]);
        for (const [name, bytes] of expected) {
          expect(entries.has(name), name).toBe(true);
          expect(Buffer.compare(entries.get(name)!, Buffer.from(bytes)), name).toBe(0);
        }
        expect([...entries.keys()].sort()).toEqual(
          [
            ...expected.keys(),
            "README.md",
            "manifest.jsonl",
            `actions/${first}.jsonl`,
            `actions/${second}.jsonl`,
          ].sort(),
        );

        // The manifest: one line per demonstration, every file's size and sha256 matching its bytes.
        const manifest = entries
          .get("manifest.jsonl")!
          .toString()
          .trim()
          .split("\n")
          .map(
            (line) =>
              JSON.parse(line) as {
                id: number;
                farmer: string;
                score: number;
                task: { ref: string };
                actions: Record<string, number>;
                files: Array<{ path: string; size: number; sha256: string }>;
              },
          );
        expect(manifest.map((m) => m.id)).toEqual([first, second]);
        const listed = manifest.flatMap((m) => m.files);
        expect(listed).toHaveLength(expected.size + 2);
        for (const file of listed) {
          const bytes = entries.get(file.path)!;
          expect({ path: file.path, size: bytes.length, sha256: sha256(bytes) }).toEqual(file);
        }
        for (const m of manifest) {
          expect(m.task.ref).toBe("task_2");
          expect(m.farmer).toMatch(/^farmer-[a-z2-9]{10}$/);
          // The actions file holds as many actions as the manifest counts.
          const actions = entries.get(`actions/${m.id}.jsonl`)!.toString().trim().split("\n");
          expect(actions.length).toBe(Object.values(m.actions).reduce((a, b) => a + b, 0));
          expect(() => actions.map((line) => JSON.parse(line))).not.toThrow();
        }
        expect(new Set(manifest.map((m) => m.farmer)).size).toBe(2);

        // The card's counts.
        const readme = entries.get("README.md")!.toString();
        expect(readme).toContain("Demonstrations: 2 (1 with video)");
        expect(readme).toContain("dataset version 1");
        expect(readme).toContain("| task_2 | Implement shopping cart | 2 |");
        const bucketCounts = [...readme.matchAll(/^\| (\d+)-(\d+) \| (\d+) \|$/gm)].map((m) => Number(m[3]));
        expect(bucketCounts).toHaveLength(10);
        expect(bucketCounts.reduce((a, b) => a + b, 0)).toBe(2);
        for (const m of manifest) {
          const bucket = Math.min(9, Math.floor(m.score / 10));
          expect(bucketCounts[bucket]).toBeGreaterThan(0);
        }

        // No farmer's platform name or id, in any file or name of the package.
        const accounts = await h.app.db.prisma.platformAccount.findMany();
        const farmerIds = accounts
          .filter((a) => FARMERS.includes(a.platformUserId))
          .map((a) => a.platformUserId);
        expect(farmerIds).toHaveLength(2);
        for (const [name, bytes] of entries) {
          const text = `${name}\n${bytes.toString("latin1")}`;
          for (const leak of [...FARMERS, ...farmerIds])
            expect(text.includes(leak), `${leak} in ${name}`).toBe(false);
        }

        // The download is recorded; the farmer sees their recording in version 1 under their pseudonym.
        const recorded = await h.app.db.prisma.datasetDownload.findMany({ include: { version: true } });
        const cora = await h.app.db.prisma.platformAccount.findFirstOrThrow({
          where: { platformUserId: "cora" },
        });
        expect(recorded.map((d) => [d.userId, d.version.version, d.via])).toEqual([[cora.userId, 1, "file"]]);
        const mine = await h.one(`@${FARMERS[0]} /dataset mine`);
        const listedMine = (mine.data as { recordings: Array<{ versions: number[]; pseudonym: string }> })
          .recordings;
        expect(listedMine).toHaveLength(1);
        expect(listedMine[0]!.versions).toEqual([1]);
        expect(listedMine[0]!.pseudonym).toBe(manifest[0]!.farmer);

        // On a chat platform: an S3 presigned URL (no PUBLIC_URL here), or, on disk without
        // PUBLIC_URL, a clear refusal; either way the same package.
        const actor = {
          userId: cora.userId,
          displayName: "cora",
          isModerator: false,
          platform: "discord" as const,
          platformUserId: "1",
        };
        const onChat = h.app.services.datasets.download({
          actor,
          now: h.clock.now(),
          factoryId: 1,
          toFile: false,
        });
        if (store === "s3") {
          const { delivery } = await onChat;
          expect(delivery.kind).toBe("presigned");
          const fetched = await fetch((delivery as { url: string }).url);
          expect(fetched.status).toBe(200);
          const { readFileSync } = await import("node:fs");
          expect(sha256(Buffer.from(await fetched.arrayBuffer()))).toBe(sha256(readFileSync(path)));
        } else await expect(onChat).rejects.toMatchObject({ code: "download_unavailable" });

        // Small enough for the platform: the package itself, attached.
        const attached = await h.app.services.datasets.download({
          actor,
          now: h.clock.now(),
          factoryId: 1,
          toFile: false,
          attachUpTo: 10 * 1024 * 1024,
        });
        expect(attached.delivery.kind).toBe("attachment");
        const { readFileSync: read } = await import("node:fs");
        expect(sha256((attached.delivery as { data: Buffer }).data)).toBe(sha256(read(path)));

        // The next version numbers on; the same farmer keeps the same pseudonym.
        const again = await h.one("@mod /dataset export factory:1 min_score:0");
        expect(again.data).toMatchObject({ version: 2, demonstrations: 2 });
        const info2 = await h.one("@cora /dataset info factory:1");
        expect((info2.data as { versions: unknown[] }).versions).toHaveLength(2);
      });
    },
    { kinds: ["pglite"], moderators: ["mod"], env },
  );
}
