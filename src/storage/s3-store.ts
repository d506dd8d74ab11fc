// The blob store in S3-compatible object storage (AWS S3, MinIO, R2, ...), for deployments with
// several machines: objects are <prefix>blobs/ab/cd/<sha256>. An object's key is its hash, which is
// known only once every byte has passed, so a put spools the stream to a temporary file while
// hashing it (memory stays flat), then uploads that file under its final key with its length.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  BlobHashMismatch,
  BlobNotFound,
  type BlobRef,
  type BlobStore,
  type ByteRange,
  blobPath,
  checkedHash,
} from "./blob-store.ts";

export interface S3StoreOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** bucket in the path (MinIO, s3rver) rather than the host name. */
  forcePathStyle: boolean;
  /** Key prefix, e.g. "forgebot/". */
  prefix: string;
  /** Where puts spool before the upload. */
  spoolDirectory: string;
}

export class S3BlobStore implements BlobStore {
  readonly kind = "s3";
  readonly #client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    this.#client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      // The SDK's default sends bodies aws-chunked with trailing checksums, which many
      // S3-compatible servers store verbatim; a checksum only where the API requires one.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
    });
  }

  #key(sha256: string): string {
    return `${this.options.prefix}blobs/${blobPath(sha256)}`;
  }

  async put(
    source: Readable | AsyncIterable<Uint8Array | string>,
    expectedSha256?: string,
  ): Promise<BlobRef> {
    if (expectedSha256 !== undefined) checkedHash(expectedSha256);
    await mkdir(this.options.spoolDirectory, { recursive: true });
    const spool = join(this.options.spoolDirectory, `s3-${randomUUID()}`);
    const hash = createHash("sha256");
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array | string>) {
          for await (const piece of chunks) {
            // Text chunks (Readable.from of strings) count as their UTF-8 bytes.
            const chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(spool),
      );
      const sha256 = hash.digest("hex");
      if (expectedSha256 !== undefined && expectedSha256 !== sha256)
        throw new BlobHashMismatch(expectedSha256, sha256);
      const { size } = await stat(spool);
      if ((await this.size(sha256)) !== size)
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: this.#key(sha256),
            Body: createReadStream(spool),
            ContentLength: size,
          }),
        );
      return { sha256, size };
    } finally {
      await rm(spool, { force: true });
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    try {
      const answer = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.#key(sha256),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return answer.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFound(sha256);
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.#key(sha256) }),
      );
      return head.ContentLength;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.#key(sha256) }));
  }

  presignedUrl(sha256: string, options: { seconds: number; fileName: string }): Promise<string> {
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.#key(sha256),
        ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/[^\w.-]/g, "_")}"`,
      }),
      { expiresIn: options.seconds },
    );
  }

  close(): void {
    this.#client.destroy();
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}
