// A real S3 protocol server (s3rver) on loopback, port 0, storing in a temporary directory: the S3
// blob store is tested against it, the AWS SDK sending real signed requests.
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error s3rver ships no types
import S3rver from "s3rver";
import { S3BlobStore } from "#src/storage/s3-store.ts";

export interface LoopbackS3 {
  endpoint: string;
  bucket: string;
  store: S3BlobStore;
  stop(): Promise<void>;
}

export async function startLoopbackS3(bucket = "forgebot-test"): Promise<LoopbackS3> {
  const directory = await mkdtemp(join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const store = new S3BlobStore({
    endpoint,
    region: "us-east-1",
    bucket,
    // s3rver's fixed credentials.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
    prefix: "test/",
    spoolDirectory: join(directory, "spool"),
  });
  return {
    endpoint,
    bucket,
    store,
    async stop() {
      store.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
