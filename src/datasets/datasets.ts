// Datasets (docs/economy.md section 10.1, docs/datasets.md): a factory's paid demonstrations,
// exported as frozen, numbered versions; who may download them; the downloads handed out; a
// farmer's own stored recordings. The package itself is built by package.ts.

import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { StorageConfig } from "#src/config/storage.ts";
import type { Clock } from "#src/core/clock.ts";
import type { Actor } from "#src/core/context.ts";
import { UserError } from "#src/core/errors.ts";
import { runOnce } from "#src/core/idempotency.ts";
import { hasBurnAccess } from "#src/dataset-tokens/access.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import type { Factories } from "#src/economy/pools/factories.ts";
import type { Payload } from "#src/economy/pools/submission-intake.ts";
import type { Logger } from "#src/log.ts";
import type { BlobStore } from "#src/storage/blob-store.ts";
import { mayDownload, mayExport } from "./access.ts";
import { datasetDownloadRoute } from "./download-route.ts";
import { deleteUnreferenced, type FileRole } from "./keep-upload.ts";
import { buildPackage, histogramOf, type PackageDemonstration } from "./package.ts";
import { pseudonym } from "./pseudonym.ts";
import { packagePath, signLink } from "./signed-link.ts";

export interface DatasetsDeps {
  db: Database;
  blobs: BlobStore;
  factories: Factories;
  config: StorageConfig;
  /** Signs links and derives pseudonyms (open-store.ts datasetSecret). */
  secret: string;
  clock: Clock;
}

export interface VersionSummary {
  version: number;
  demonstrations: number;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
  minScore: number | null;
  taskRef: string | null;
}

export type Delivery =
  | { kind: "attachment"; data: Buffer; name: string }
  | { kind: "link"; url: string; expiresAt: Date }
  | { kind: "presigned"; url: string; expiresAt: Date }
  | { kind: "file"; path: string };

const UPLOADED: FileRole[] = ["meta", "log", "video"];

/** The demonstrations a factory paid for (settled at or above its threshold), files still kept. */
async function acceptedRows(
  db: TxClient,
  factoryId: number,
  filters: { minScore?: number; taskId?: number },
) {
  const factory = await db.factory.findUniqueOrThrow({ where: { id: factoryId } });
  const bar = Math.max(factory.qualityThreshold, filters.minScore ?? 0);
  return db.submission.findMany({
    where: {
      factoryId,
      status: "settled",
      score: { gte: bar },
      filesPurgedAt: null,
      files: { some: { role: "meta" } },
      ...(filters.taskId !== undefined ? { taskId: filters.taskId } : {}),
    },
    orderBy: { id: "asc" },
    include: { files: true, task: true },
  });
}

type AcceptedRow = Awaited<ReturnType<typeof acceptedRows>>[number];

export class Datasets {
  constructor(private readonly deps: DatasetsDeps) {}

  async export(request: {
    actor: Actor;
    key: string;
    now: Date;
    factoryId: number;
    minScore?: number;
    taskRef?: string;
  }): Promise<VersionSummary & { factoryName: string }> {
    const { db, blobs, factories } = this.deps;
    const factory = await factories.find(db.prisma, request.factoryId);
    if (!mayExport(request.actor, factory))
      throw new UserError(
        "not_allowed",
        `Only factory #${factory.id}'s creator and the moderators may export its dataset.`,
      );
    const task =
      request.taskRef === undefined
        ? undefined
        : await db.prisma.factoryTask.findUnique({
            where: { factoryId_ref: { factoryId: factory.id, ref: request.taskRef } },
          });
    if (request.taskRef !== undefined && !task)
      throw new UserError(
        "not_found",
        `Factory #${factory.id} has no task "${request.taskRef}"; /factory info factory:${factory.id} lists its tasks.`,
      );
    const filters = {
      ...(request.minScore !== undefined ? { minScore: request.minScore } : {}),
      ...(task ? { taskId: task.id } : {}),
    };
    const rows = await acceptedRows(db.prisma, factory.id, filters);
    if (rows.length === 0)
      throw new UserError(
        "dataset_empty",
        `Factory #${factory.id} has no paid demonstration${request.minScore !== undefined ? ` scoring ${request.minScore} or more` : ""}${task ? ` for task ${task.ref}` : ""} yet: nothing to export.`,
      );
    const last = await db.prisma.datasetVersion.findFirst({
      where: { factoryId: factory.id },
      orderBy: { version: "desc" },
    });
    const version = (last?.version ?? 0) + 1;
    const demonstrations = rows.map((row) => this.#packaged(row));
    const histogram = histogramOf(demonstrations.map((d) => d.score));
    const tasks = new Map<string, { ref: string; title: string; demonstrations: number }>();
    for (const d of demonstrations) {
      const entry = tasks.get(d.task.ref) ?? { ...d.task, demonstrations: 0 };
      entry.demonstrations++;
      tasks.set(d.task.ref, entry);
    }
    const zip = await buildPackage(
      blobs,
      {
        factory: { id: factory.id, name: factory.name },
        version,
        createdAt: request.now,
        filters: {
          ...(request.minScore !== undefined ? { minScore: request.minScore } : {}),
          ...(task ? { taskRef: task.ref } : {}),
        },
        tasks: [...tasks.values()],
        histogram,
      },
      demonstrations,
    );
    try {
      const once = await db.transaction((tx) =>
        runOnce(
          tx,
          { scope: "datasets.export", key: request.key, input: { factoryId: factory.id, ...filters } },
          async () => {
            const row = await tx.db.datasetVersion.create({
              data: {
                factoryId: factory.id,
                version,
                createdByUserId: request.actor.userId,
                minScore: request.minScore ?? null,
                taskId: task?.id ?? null,
                demonstrations: demonstrations.length,
                sha256: zip.sha256,
                sizeBytes: BigInt(zip.size),
                histogram,
                createdAt: tx.now,
              },
            });
            await tx.db.datasetVersionItem.createMany({
              data: rows.map((r) => ({ versionId: row.id, submissionId: r.id })),
            });
            return {
              version,
              demonstrations: demonstrations.length,
              sizeBytes: zip.size,
              sha256: zip.sha256,
              createdAt: tx.now,
              minScore: request.minScore ?? null,
              taskRef: task?.ref ?? null,
              factoryName: factory.name,
            };
          },
        ),
      );
      if (once.replayed) await deleteUnreferenced(db, blobs, [zip.sha256]);
      return { ...once.result, createdAt: new Date(once.result.createdAt) };
    } catch (error) {
      await deleteUnreferenced(db, blobs, [zip.sha256]);
      if ((error as { code?: string }).code === "P2002")
        throw new UserError(
          "export_busy",
          `Another export of factory #${factory.id} finished first as version ${version}. Run the export again for the next version.`,
        );
      throw error;
    }
  }

  #packaged(row: AcceptedRow): PackageDemonstration {
    const payload = row.payload as unknown as Payload;
    const meta = payload.demonstration.meta;
    const order = (role: string) => ["meta", "log", "video", "actions"].indexOf(role);
    return {
      id: row.id,
      task: { ref: row.task.ref, title: row.task.title },
      farmer: pseudonym(this.deps.secret, row.factoryId, row.farmerUserId),
      score: row.score ?? 0,
      breakdown: (row.grade as { breakdown?: unknown } | null)?.breakdown ?? null,
      recordedAt: meta.timestamp,
      durationSeconds: meta.durationSeconds,
      actionCounts: { ...payload.processed.summary.counts },
      files: [...row.files]
        .sort((a, b) => order(a.role) - order(b.role))
        .map((f) => ({
          role: f.role as FileRole,
          name: f.name,
          sha256: f.sha256,
          size: Number(f.sizeBytes),
        })),
    };
  }

  /** What /dataset info shows: what an export would hold now, and the versions so far. */
  async info(db: TxClient, factoryId: number) {
    const factory = await this.deps.factories.find(db, factoryId);
    const rows = await acceptedRows(db, factory.id, {});
    const versions = await this.versions(db, factory.id);
    const withVideo = rows.filter((r) => r.files.some((f) => f.role === "video")).length;
    const sizeBytes = rows.reduce((sum, r) => sum + r.files.reduce((s, f) => s + Number(f.sizeBytes), 0), 0);
    const byTask = new Map<string, { ref: string; title: string; demonstrations: number }>();
    for (const r of rows) {
      const entry = byTask.get(r.task.ref) ?? { ref: r.task.ref, title: r.task.title, demonstrations: 0 };
      entry.demonstrations++;
      byTask.set(r.task.ref, entry);
    }
    return {
      factory: { id: factory.id, name: factory.name },
      demonstrations: rows.length,
      withVideo,
      sizeBytes,
      histogram: histogramOf(rows.map((r) => r.score ?? 0)),
      tasks: [...byTask.values()],
      versions,
    };
  }

  async versions(db: TxClient, factoryId: number): Promise<VersionSummary[]> {
    const rows = await db.datasetVersion.findMany({ where: { factoryId }, orderBy: { version: "asc" } });
    const tasks = await db.factoryTask.findMany({ where: { factoryId } });
    return rows.map((r) => ({
      version: r.version,
      demonstrations: r.demonstrations,
      sizeBytes: Number(r.sizeBytes),
      sha256: r.sha256,
      createdAt: r.createdAt,
      minScore: r.minScore,
      taskRef: tasks.find((t) => t.id === r.taskId)?.ref ?? null,
    }));
  }

  /**
   * Hands a version's package to whoever may download it, and records it. The console gets the
   * file written to disk; a chat platform the file itself when it fits the platform's limit, else
   * a signed link to the bot's HTTP server or, on S3, a presigned URL.
   */
  async download(request: {
    actor: Actor;
    now: Date;
    factoryId: number;
    version?: number;
    toFile: boolean;
    /** The largest package the platform takes as an attachment (0: none). */
    attachUpTo?: number;
  }): Promise<{ version: VersionSummary; delivery: Delivery; factoryName: string }> {
    const { db, blobs, config, factories } = this.deps;
    const factory = await factories.find(db.prisma, request.factoryId);
    const access = await mayDownload(request.actor, factory, () =>
      hasBurnAccess(db.prisma, request.actor.userId, factory.id),
    );
    if (!access.allowed) throw new UserError("not_allowed", access.why);
    const versions = await this.versions(db.prisma, factory.id);
    if (versions.length === 0)
      throw new UserError(
        "not_found",
        `Factory #${factory.id} has no dataset version yet; its creator makes one with /dataset export factory:${factory.id}.`,
      );
    const version =
      request.version === undefined ? versions.at(-1)! : versions.find((v) => v.version === request.version);
    if (!version)
      throw new UserError(
        "not_found",
        `Factory #${factory.id}'s dataset has versions 1 to ${versions.length}; there is no version ${request.version}.`,
      );
    const fileName = `factory-${factory.id}-dataset-v${version.version}.zip`;
    const expiresAt = new Date(request.now.getTime() + config.DATASET_LINK_TTL_SECONDS * 1000);
    let delivery: Delivery;
    if (request.toFile) {
      const directory = join(config.STORAGE_DIR, "downloads");
      await mkdir(directory, { recursive: true });
      const path = join(directory, fileName);
      await pipeline(await blobs.get(version.sha256), createWriteStream(path));
      delivery = { kind: "file", path };
    } else if (version.sizeBytes <= (request.attachUpTo ?? 0)) {
      // Small enough for the platform: read whole (at most the platform's limit) and attached.
      const chunks: Buffer[] = [];
      for await (const chunk of await blobs.get(version.sha256))
        chunks.push(Buffer.from(chunk as Uint8Array));
      delivery = { kind: "attachment", data: Buffer.concat(chunks), name: fileName };
    } else if (config.PUBLIC_URL) {
      const path = packagePath(factory.id, version.version, version.sha256);
      delivery = {
        kind: "link",
        url: signLink(this.deps.secret, config.PUBLIC_URL, path, expiresAt),
        expiresAt,
      };
    } else if (blobs.presignedUrl) {
      const url = await blobs.presignedUrl(version.sha256, {
        seconds: config.DATASET_LINK_TTL_SECONDS,
        fileName,
      });
      delivery = { kind: "presigned", url, expiresAt };
    } else
      throw new UserError(
        "download_unavailable",
        "This bot cannot hand out download links yet: its operator has to set PUBLIC_URL (or use S3 storage). Ask a moderator.",
      );
    const row = await db.prisma.datasetVersion.findUniqueOrThrow({
      where: { factoryId_version: { factoryId: factory.id, version: version.version } },
    });
    await db.prisma.datasetDownload.create({
      data: { versionId: row.id, userId: request.actor.userId, via: delivery.kind, createdAt: request.now },
    });
    return { version, delivery, factoryName: factory.name };
  }

  /** The HTTP route serving signed download links (download-route.ts). */
  downloadRoute(log: Logger) {
    return datasetDownloadRoute({ ...this.deps, log });
  }

  /** A farmer's stored recordings, newest first, and the dataset versions that hold each. */
  async mine(db: TxClient, farmerUserId: number, window: { limit: number; offset: number }) {
    const where = { farmerUserId, files: { some: {} } };
    const [total, rows] = await Promise.all([
      db.submission.count({ where }),
      db.submission.findMany({
        where,
        orderBy: { id: "desc" },
        take: window.limit,
        skip: window.offset,
        include: { files: true, factory: { select: { name: true } } },
      }),
    ]);
    const items = await db.datasetVersionItem.findMany({
      where: { submissionId: { in: rows.map((r) => r.id) } },
      include: { version: { select: { factoryId: true, version: true } } },
    });
    return {
      total,
      recordings: rows.map((r) => ({
        submissionId: r.id,
        factoryId: r.factoryId,
        factoryName: r.factory.name,
        status: r.status,
        score: r.score,
        purged: r.filesPurgedAt !== null,
        files: r.files
          .filter((f) => UPLOADED.includes(f.role as FileRole))
          .map((f) => ({ name: f.name, sizeBytes: Number(f.sizeBytes) })),
        versions: items.filter((i) => i.submissionId === r.id).map((i) => i.version.version),
        pseudonym: pseudonym(this.deps.secret, r.factoryId, farmerUserId),
      })),
    };
  }
}
