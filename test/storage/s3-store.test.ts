import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LoopbackS3, startLoopbackS3 } from "#test/helpers/s3rver.ts";
import { blobStoreContract } from "./blob-store-contract.ts";

let s3: LoopbackS3;

beforeAll(async () => {
  s3 = await startLoopbackS3();
});
afterAll(() => s3.stop());

blobStoreContract("s3 (s3rver on loopback)", () => s3.store);

it("gives a presigned URL that fetches the blob without credentials", async () => {
  const ref = await s3.store.put(Readable.from([Buffer.from("presigned bytes")]));
  const url = await s3.store.presignedUrl(ref.sha256, { seconds: 60, fileName: "x.zip" });
  expect(url.startsWith(s3.endpoint)).toBe(true);
  const answer = await fetch(url);
  expect(answer.status).toBe(200);
  expect(await answer.text()).toBe("presigned bytes");
});
