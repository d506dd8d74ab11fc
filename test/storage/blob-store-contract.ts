// What every blob store promises (src/storage/blob-store.ts), run against each implementation.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { BlobHashMismatch, BlobNotFound, type BlobStore } from "#src/storage/blob-store.ts";

const sha = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Chunks produced one at a time, so the store cannot see the whole before it hashes it. */
async function* generated(chunks: number, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < chunks; i++) yield new Uint8Array(size).fill(i % 251);
}

export function blobStoreContract(name: string, open: () => BlobStore) {
  describe(`${name}: the blob store contract`, () => {
    it("stores a stream under its sha256 and gives the same bytes back", async () => {
      const store = open();
      const bytes = Buffer.from('{"hello":"world"}\n');
      const ref = await store.put(Readable.from([bytes]));
      expect(ref).toEqual({ sha256: sha(bytes), size: bytes.length });
      expect(await store.has(ref.sha256)).toBe(true);
      expect(await store.size(ref.sha256)).toBe(bytes.length);
      expect(await bytesOf(await store.get(ref.sha256))).toEqual(bytes);
    });

    it("streams a large generated blob in and out, hashing it as it passes", async () => {
      const store = open();
      const whole = createHash("sha256");
      for await (const chunk of generated(40, 64 * 1024)) whole.update(chunk);
      const ref = await store.put(generated(40, 64 * 1024));
      expect(ref).toEqual({ sha256: whole.digest("hex"), size: 40 * 64 * 1024 });
      const back = createHash("sha256");
      for await (const chunk of await store.get(ref.sha256)) back.update(chunk);
      expect(back.digest("hex")).toBe(ref.sha256);
    });

    it("reads byte ranges (inclusive, as HTTP Range)", async () => {
      const store = open();
      const ref = await store.put(Readable.from([Buffer.from("0123456789abcdef")]));
      expect(await text(await store.get(ref.sha256, { start: 3, end: 7 }))).toBe("34567");
      expect(await text(await store.get(ref.sha256, { start: 10, end: 15 }))).toBe("abcdef");
    });

    it("keeps one copy of the same bytes put twice", async () => {
      const store = open();
      const first = await store.put(Readable.from([Buffer.from("twice")]));
      const second = await store.put(Readable.from([Buffer.from("twice")]));
      expect(second).toEqual(first);
      expect(await text(await store.get(first.sha256))).toBe("twice");
    });

    it("refuses bytes that do not match the expected hash and keeps nothing", async () => {
      const store = open();
      const wrong = sha("something else");
      await expect(store.put(Readable.from([Buffer.from("these bytes")]), wrong)).rejects.toBeInstanceOf(
        BlobHashMismatch,
      );
      expect(await store.has(wrong)).toBe(false);
      expect(await store.has(sha("these bytes"))).toBe(false);
      const right = await store.put(Readable.from([Buffer.from("these bytes")]), sha("these bytes"));
      expect(right.sha256).toBe(sha("these bytes"));
    });

    it("deletes, and a deleted or unknown blob is missing", async () => {
      const store = open();
      const ref = await store.put(Readable.from([Buffer.from("short-lived")]));
      await store.delete(ref.sha256);
      expect(await store.has(ref.sha256)).toBe(false);
      expect(await store.size(ref.sha256)).toBeUndefined();
      await expect(store.get(ref.sha256)).rejects.toBeInstanceOf(BlobNotFound);
      await store.delete(ref.sha256); // deleting again is no error
    });

    it("refuses a key that is not a sha256 (it would become a path)", async () => {
      const store = open();
      await expect(store.get("../../etc/passwd")).rejects.toThrow(/not a sha256/);
      await expect(store.has("ABC")).rejects.toThrow(/not a sha256/);
    });
  });
}
