// A dataset version's package (docs/economy.md section 10.1), zipped with yazl straight into the
// blob store: README.md (the dataset card), manifest.jsonl (one line per demonstration, every file
// with its size and sha256), demonstrations/<id>/ (the files as uploaded) and actions/<id>.jsonl.
// Each file is read from the store only when the zip reaches it, so memory stays flat however many
// demonstrations there are.
import type { Readable } from "node:stream";
import yazl from "yazl";
import type { BlobRef, BlobStore } from "#src/storage/blob-store.ts";
import type { FileRole } from "./keep-upload.ts";

export interface PackageFile {
  role: FileRole;
  name: string;
  sha256: string;
  size: number;
}

export interface PackageDemonstration {
  id: number;
  task: { ref: string; title: string };
  farmer: string;
  score: number;
  breakdown: unknown;
  recordedAt: string;
  durationSeconds: number;
  actionCounts: Record<string, number>;
  /** The uploaded files and the actions. */
  files: PackageFile[];
}

export interface PackageCard {
  factory: { id: number; name: string };
  version: number;
  createdAt: Date;
  filters: { minScore?: number; taskRef?: string };
  tasks: Array<{ ref: string; title: string; demonstrations: number }>;
  histogram: number[];
}

/** Where a file goes in the package. */
export function packagePathOf(demonstrationId: number, file: PackageFile): string {
  return file.role === "actions"
    ? `actions/${demonstrationId}.jsonl`
    : `demonstrations/${demonstrationId}/${file.name}`;
}

/** Scores into ten buckets: 0-9, 10-19, ..., 90-100. */
export function histogramOf(scores: readonly number[]): number[] {
  const buckets = Array.from({ length: 10 }, () => 0);
  for (const score of scores) buckets[Math.min(9, Math.max(0, Math.floor(score / 10)))]!++;
  return buckets;
}

export function manifestLine(d: PackageDemonstration): string {
  return `${JSON.stringify({
    id: d.id,
    task: d.task,
    farmer: d.farmer,
    score: d.score,
    breakdown: d.breakdown,
    recorded_at: d.recordedAt,
    duration_seconds: d.durationSeconds,
    actions: d.actionCounts,
    files: d.files.map((file) => ({ path: packagePathOf(d.id, file), size: file.size, sha256: file.sha256 })),
  })}\n`;
}

export function datasetCard(card: PackageCard, demonstrations: readonly PackageDemonstration[]): string {
  const withVideo = demonstrations.filter((d) => d.files.some((f) => f.role === "video")).length;
  const bytes = demonstrations.reduce((sum, d) => sum + d.files.reduce((s, f) => s + f.size, 0), 0);
  const filters = [
    card.filters.minScore !== undefined ? `scores ${card.filters.minScore} and above` : undefined,
    card.filters.taskRef !== undefined ? `task ${card.filters.taskRef}` : undefined,
  ].filter(Boolean);
  // Member-typed names sit in table cells: a pipe or a line break would break the table.
  const md = (text: string) => text.replace(/[|\\]/g, (c) => `\\${c}`).replace(/\s+/g, " ");
  return [
    `# ${md(card.factory.name)}: dataset version ${card.version}`,
    "",
    `Factory #${card.factory.id}, exported ${card.createdAt.toISOString().slice(0, 19).replace("T", " ")} UTC.`,
    `Demonstrations: ${demonstrations.length} (${withVideo} with video), ${bytes} bytes of files.`,
    `Filters: ${filters.length > 0 ? filters.join(", ") : "none (every paid demonstration)"}.`,
    "",
    "## Tasks",
    "",
    "| task | title | demonstrations |",
    "|---|---|---|",
    ...card.tasks.map((t) => `| ${md(t.ref)} | ${md(t.title)} | ${t.demonstrations} |`),
    "",
    "## Scores",
    "",
    "| score | demonstrations |",
    "|---|---|",
    ...card.histogram.map((n, i) => `| ${i * 10}-${i === 9 ? 100 : i * 10 + 9} | ${n} |`),
    "",
    "## Contents",
    "",
    "- `manifest.jsonl`: one line per demonstration: id, task, farmer pseudonym, score and its breakdown,",
    "  when it was recorded, its duration, its action counts, and each file with its size and sha256.",
    "- `demonstrations/<id>/`: the recorder's files exactly as the farmer uploaded them.",
    "- `actions/<id>.jsonl`: the actions the bot derived from the log, one per line.",
    "",
    "Farmers are named by a pseudonym, stable across this dataset's versions. Check any file with",
    "`sha256sum` against the manifest.",
    "",
    "## Licence",
    "",
    "Recorded by the farmers and paid for by the factory's creator; use it under the terms the creator",
    "set for the factory.",
    "",
  ].join("\n");
}

/** Zips the package into the store and returns the zip's hash and size. */
export async function buildPackage(
  blobs: BlobStore,
  card: PackageCard,
  demonstrations: readonly PackageDemonstration[],
): Promise<BlobRef> {
  const zip = new yazl.ZipFile();
  const options = { mtime: card.createdAt };
  zip.addBuffer(Buffer.from(datasetCard(card, demonstrations)), "README.md", options);
  zip.addBuffer(Buffer.from(demonstrations.map(manifestLine).join("")), "manifest.jsonl", options);
  for (const d of demonstrations) {
    for (const file of d.files) {
      // A video is already compressed; deflating it again costs time and saves nothing.
      const compress = file.role !== "video";
      zip.addReadStreamLazy(packagePathOf(d.id, file), { ...options, size: file.size, compress }, (done) => {
        blobs.get(file.sha256).then(
          (stream: Readable) => done(null, stream),
          (error: unknown) => done(error, undefined as never),
        );
      });
    }
  }
  zip.end();
  return blobs.put(zip.outputStream as Readable);
}
