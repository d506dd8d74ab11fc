// The blob store the configuration asks for, and the dataset secret beside it.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StorageConfig } from "#src/config/storage.ts";
import type { BlobStore } from "./blob-store.ts";
import { DiskBlobStore } from "./disk-store.ts";

export async function openBlobStore(config: StorageConfig): Promise<BlobStore> {
  if (config.STORAGE_BACKEND === "disk") return new DiskBlobStore(config.STORAGE_DIR).open();
  // The AWS SDK (about 20 MiB and 200 ms to load) only when S3 is the backend.
  const { S3BlobStore } = await import("./s3-store.ts");
  return new S3BlobStore({
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    region: config.S3_REGION,
    bucket: config.S3_BUCKET ?? "",
    ...(config.S3_ACCESS_KEY_ID ? { accessKeyId: config.S3_ACCESS_KEY_ID } : {}),
    ...(config.S3_SECRET_ACCESS_KEY ? { secretAccessKey: config.S3_SECRET_ACCESS_KEY } : {}),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    prefix: config.S3_PREFIX,
    spoolDirectory: join(config.STORAGE_DIR, "spool"),
  });
}

/**
 * The secret that signs download links and derives pseudonyms: DATASET_SECRET, or (one machine, on
 * disk) a random one made on the first start and kept in STORAGE_DIR, so pseudonyms stay stable
 * across versions and restarts.
 */
export async function datasetSecret(config: StorageConfig): Promise<string> {
  if (config.DATASET_SECRET) return config.DATASET_SECRET;
  const file = join(config.STORAGE_DIR, "dataset-secret");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
  await mkdir(config.STORAGE_DIR, { recursive: true });
  const made = randomBytes(32).toString("hex");
  await writeFile(file, made, { mode: 0o600, flag: "wx" }).catch(async (error: { code?: string }) => {
    if (error.code !== "EEXIST") throw error;
  });
  return (await readFile(file, "utf8")).trim();
}
