// The blob store: files kept under their sha256, one copy however often they are referred to
// (docs/economy.md section 10.1). Everything goes in and out as a stream, so a 500 MB video never
// sits whole in memory. Two implementations: the local disk (disk-store.ts, the default) and
// S3-compatible object storage (s3-store.ts). test/storage/blob-store-contract.ts holds both to the
// same contract.
import type { Readable } from "node:stream";

/** What a stored blob is known by. */
export interface BlobRef {
  /** sha256 of the bytes, lowercase hex. */
  sha256: string;
  size: number;
}

/** Bytes start..end inclusive, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  /** "disk" or "s3": what /dataset download may offer (a presigned URL needs S3). */
  readonly kind: "disk" | "s3";
  /**
   * Streams `source` into the store and returns its hash and size. The bytes are hashed as they
   * pass; when `expectedSha256` is given and differs, nothing is kept and it throws. Putting bytes
   * already stored keeps the one copy.
   */
  put(source: Readable | AsyncIterable<Uint8Array | string>, expectedSha256?: string): Promise<BlobRef>;
  /** The blob's bytes (or a range of them) as a stream. Throws BlobNotFound. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  /** The blob's size, or undefined when it is not stored. */
  size(sha256: string): Promise<number | undefined>;
  /** Removes the blob; removing one that is not there is not an error. */
  delete(sha256: string): Promise<void>;
  /** A URL the blob can be fetched from directly for `seconds` (S3 only). */
  presignedUrl?(sha256: string, options: { seconds: number; fileName: string }): Promise<string>;
}

export class BlobNotFound extends Error {
  override name = "BlobNotFound";
  constructor(readonly sha256: string) {
    super(`blob ${sha256} is not in the store`);
  }
}

export class BlobHashMismatch extends Error {
  override name = "BlobHashMismatch";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the bytes hash to ${actual}, not the expected ${expected}; nothing was stored`);
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Refuses anything but a sha256 in hex: it becomes a file path or an object key. */
export function checkedHash(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 (64 lowercase hex digits): ${sha256}`);
  return sha256;
}

/** Where a blob lives, fanned out by its first two bytes so no directory grows huge. */
export function blobPath(sha256: string): string {
  const hash = checkedHash(sha256);
  return `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;
}
