// Reading a dataset package back: every entry of the zip (yauzl), and a zip of the real recording
// with a video, as a farmer would upload it.
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yauzl from "yauzl";
import yazl from "yazl";
import { fixtureLog, fixtureMeta, noise } from "#test/grading/fixture.ts";

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every file entry of the zip at `path`, by name. */
export async function unzip(path: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", resolve);
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", reject);
        stream.on("end", () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}

/** The real recording zipped in a folder, with a (generated) video beside it. */
export async function zipWithVideo(): Promise<{ path: string; files: Record<string, Uint8Array> }> {
  const video = noise(300 * 1024);
  const files = { "meta.json": fixtureMeta, "input_log.jsonl": fixtureLog, "screen.mp4": video };
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of Object.entries(files))
    zip.addBuffer(Buffer.from(bytes), `20251007_131852/${name}`, { mtime: new Date("2025-10-07T11:18:52Z") });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  const path = join(mkdtempSync(join(tmpdir(), "recording-")), "recording-with-video.zip");
  writeFileSync(path, Buffer.concat(chunks));
  return { path, files };
}
