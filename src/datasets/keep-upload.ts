// An accepted upload's files, kept exactly as uploaded (docs/economy.md section 10.1): meta.json,
// input_log.jsonl and the video, loose or taken out of the zip, each streamed into the blob store,
// and the actions derived from them as JSON lines. The parser (src/grading/parse.ts) has already
// checked the upload, so this only finds each file's role and streams it.
import { Readable } from "node:stream";
import yauzl from "yauzl";
import type { Database } from "#src/db/database.ts";
import { baseName, type Role, roleOf } from "#src/grading/parse.ts";
import type { LabelledAction, UploadedFile } from "#src/grading/types.ts";
import { isMetadataJunk, looksLikeZip } from "#src/grading/zip.ts";
import type { BlobStore } from "#src/storage/blob-store.ts";

export type FileRole = Role | "actions";

export interface KeptFile {
  role: FileRole;
  /** The name as uploaded (a zip entry's base name). */
  name: string;
  sha256: string;
  size: number;
}

export const ACTIONS_FILE = "actions.jsonl";

/** Streams the upload's recorder files and the actions into the store. */
export async function keepUpload(
  blobs: BlobStore,
  files: readonly UploadedFile[],
  actions: readonly LabelledAction[],
): Promise<KeptFile[]> {
  const kept: KeptFile[] = [];
  for await (const { role, name, stream } of recorderFiles(files)) {
    const ref = await blobs.put(stream);
    kept.push({ role, name, ...ref });
  }
  const ref = await blobs.put(Readable.from(actionLines(actions)));
  kept.push({ role: "actions", name: ACTIONS_FILE, ...ref });
  return kept;
}

/** One JSON line per action: a big log's actions are never one string. */
export function* actionLines(actions: readonly LabelledAction[]): Iterable<Buffer> {
  for (const action of actions) yield Buffer.from(`${JSON.stringify(action)}\n`);
}

/** Reads the actions back from their JSON lines in the store. */
export async function readActions(blobs: BlobStore, sha256: string): Promise<LabelledAction[]> {
  const actions: LabelledAction[] = [];
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of await blobs.get(sha256)) {
    rest += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line !== "") actions.push(JSON.parse(line) as LabelledAction);
  }
  rest += decoder.decode();
  if (rest.trim() !== "") actions.push(JSON.parse(rest) as LabelledAction);
  return actions;
}

async function* recorderFiles(
  files: readonly UploadedFile[],
): AsyncIterable<{ role: Role; name: string; stream: Readable }> {
  const zip = files.find((file) => looksLikeZip(file.bytes));
  if (!zip) {
    for (const file of files) {
      const role = roleOf(file.name);
      if (role) yield { role, name: baseName(file.name), stream: Readable.from([file.bytes]) };
    }
    return;
  }
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(
      Buffer.from(zip.bytes.buffer, zip.bytes.byteOffset, zip.bytes.byteLength),
      {
        lazyEntries: true,
      },
      (error, opened) => (error ? reject(error) : resolve(opened)),
    ),
  );
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        archive.once("entry", resolve);
        archive.once("end", () => resolve(undefined));
        archive.once("error", reject);
        archive.readEntry();
      });
      archive.removeAllListeners("entry").removeAllListeners("end").removeAllListeners("error");
      if (!entry) return;
      if (entry.fileName.endsWith("/") || isMetadataJunk(entry.fileName)) continue;
      const role = roleOf(entry.fileName);
      if (!role) continue;
      const stream = await new Promise<Readable>((resolve, reject) =>
        archive.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))),
      );
      yield { role, name: baseName(entry.fileName), stream };
    }
  } finally {
    archive.close();
  }
}

/**
 * Deletes blobs no submission file and no dataset version points at: the files of an upload whose
 * intake failed after they were stored, or of one the retention job purges.
 */
export async function deleteUnreferenced(
  db: Database,
  blobs: BlobStore,
  sha256s: readonly string[],
): Promise<number> {
  let deleted = 0;
  for (const sha256 of new Set(sha256s)) {
    const [files, versions] = await Promise.all([
      db.prisma.submissionFile.count({ where: { sha256 } }),
      db.prisma.datasetVersion.count({ where: { sha256 } }),
    ]);
    if (files + versions > 0) continue;
    await blobs.delete(sha256);
    deleted++;
  }
  return deleted;
}
