// The blob store on the local disk (the default): <STORAGE_DIR>/blobs/ab/cd/<sha256>. A put writes
// a temporary file beside the blobs while hashing, then renames it into place, so a reader never
// sees half a blob and a crash leaves only a temporary file (removed on the next start).
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  BlobHashMismatch,
  BlobNotFound,
  type BlobRef,
  type BlobStore,
  type ByteRange,
  blobPath,
  checkedHash,
} from "./blob-store.ts";

export class DiskBlobStore implements BlobStore {
  readonly kind = "disk";
  readonly #blobs: string;
  readonly #incoming: string;

  constructor(directory: string) {
    this.#blobs = join(directory, "blobs");
    this.#incoming = join(directory, "incoming");
  }

  /** Clears temporary files a crash left behind. */
  async open(): Promise<this> {
    await rm(this.#incoming, { recursive: true, force: true });
    await mkdir(this.#incoming, { recursive: true });
    await mkdir(this.#blobs, { recursive: true });
    return this;
  }

  async put(
    source: Readable | AsyncIterable<Uint8Array | string>,
    expectedSha256?: string,
  ): Promise<BlobRef> {
    if (expectedSha256 !== undefined) checkedHash(expectedSha256);
    await mkdir(this.#incoming, { recursive: true });
    const temporary = join(this.#incoming, randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array | string>) {
          for await (const piece of chunks) {
            // Text chunks (Readable.from of strings) count as their UTF-8 bytes.
            const chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(temporary),
      );
      const sha256 = hash.digest("hex");
      if (expectedSha256 !== undefined && expectedSha256 !== sha256)
        throw new BlobHashMismatch(expectedSha256, sha256);
      const target = join(this.#blobs, blobPath(sha256));
      await mkdir(dirname(target), { recursive: true });
      // Same bytes, same name: renaming over an existing copy changes nothing a reader could see.
      await rename(temporary, target);
      return { sha256, size };
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const path = join(this.#blobs, blobPath(sha256));
    if ((await this.size(sha256)) === undefined) throw new BlobNotFound(sha256);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(join(this.#blobs, blobPath(sha256)))).size;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(join(this.#blobs, blobPath(sha256)), { force: true });
  }
}
