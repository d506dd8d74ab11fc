import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DiskBlobStore } from "#src/storage/disk-store.ts";
import { blobStoreContract } from "./blob-store-contract.ts";

let directory: string;
let store: DiskBlobStore;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "disk-store-"));
  store = await new DiskBlobStore(directory).open();
});
afterAll(() => rm(directory, { recursive: true, force: true }));

blobStoreContract("disk", () => store);

it("leaves no temporary file behind after puts, refused ones included", async () => {
  expect(await readdir(join(directory, "incoming"))).toEqual([]);
});
