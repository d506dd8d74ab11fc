// Signed download links (src/datasets/signed-link.ts, download-route.ts) through the bot's real HTTP
// server: the package with byte ranges; a changed path, a changed or passed expiry refused.
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, MINUTE } from "#src/core/clock.ts";
import { parseRange } from "#src/datasets/download-route.ts";
import { packagePath, signLink } from "#src/datasets/signed-link.ts";
import { silentLogger } from "#src/log.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { noise } from "#test/grading/fixture.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import { sha256 } from "./package-helpers.ts";

const SECRET = "link-test-secret-0123456789abcdef0123456789";
const bytes = Buffer.from(noise(200_000, 7));

let test: TestApp;
let http: HttpServer;
let base: string;
let path: string;

beforeAll(async () => {
  test = await createTestApp("pglite", { env: { DATASET_SECRET: SECRET } });
  const { blobs, db, datasets } = test.app.services;
  const ref = await blobs.put(Readable.from([bytes]));
  await db.prisma.datasetVersion.create({
    data: {
      factoryId: 4,
      version: 2,
      createdByUserId: 1,
      demonstrations: 1,
      sha256: ref.sha256,
      sizeBytes: BigInt(ref.size),
      histogram: [],
      createdAt: test.clock.now(),
    },
  });
  path = packagePath(4, 2, ref.sha256);
  http = new HttpServer(silentLogger).routePrefix("/datasets/", datasets.downloadRoute(silentLogger));
  base = `http://127.0.0.1:${await http.listen("127.0.0.1", 0)}`;
});
afterAll(async () => {
  await http.close();
  await test.close();
});

const link = (p = path, expiresAt = new Date(test.clock.now().getTime() + 10 * MINUTE)) =>
  signLink(SECRET, base, p, expiresAt);

describe("a signed download link", () => {
  it("serves the package whole, and a byte range of it", async () => {
    const whole = await fetch(link());
    expect(whole.status).toBe(200);
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    expect(whole.headers.get("content-type")).toBe("application/zip");
    const body = Buffer.from(await whole.arrayBuffer());
    expect(sha256(body)).toBe(sha256(bytes));

    const part = await fetch(link(), { headers: { range: "bytes=1000-1999" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), bytes.subarray(1000, 2000))).toBe(0);

    const rest = await fetch(link(), { headers: { range: `bytes=${bytes.length - 10}-` } });
    expect(Buffer.compare(Buffer.from(await rest.arrayBuffer()), bytes.subarray(bytes.length - 10))).toBe(0);

    const beyond = await fetch(link(), { headers: { range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
  });

  it("refuses a changed path: another version or another package", async () => {
    const good = new URL(link());
    for (const other of [
      good.pathname.replace("/v2/", "/v1/"),
      good.pathname.replace("/4/", "/5/"),
      `${good.pathname.slice(0, -8)}0000.zip`,
    ]) {
      const tampered = `${base}${other}${good.search}`;
      const answer = await fetch(tampered);
      expect({ other, status: answer.status }).toEqual({ other, status: 403 });
      expect(await answer.text()).not.toContain(sha256(bytes).slice(0, 16));
    }
  });

  it("refuses a changed expiry, and an expired link", async () => {
    const good = new URL(link());
    const later = Number(good.searchParams.get("expires")) + DAY / 1000;
    good.searchParams.set("expires", String(later));
    expect((await fetch(good)).status).toBe(403);

    const expiring = link(path, new Date(test.clock.now().getTime() + MINUTE));
    expect((await fetch(expiring)).status).toBe(200);
    test.clock.advance(MINUTE);
    const expired = await fetch(expiring);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("expired");
  });

  it("refuses an unsigned request and methods other than GET and HEAD", async () => {
    expect((await fetch(`${base}${path}`)).status).toBe(403);
    expect((await fetch(link(), { method: "POST" })).status).toBe(405);
    const head = await fetch(link(), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(bytes.length));
  });
});

describe("parseRange", () => {
  it("reads one range, clamps its end, and ignores what it does not serve", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-200", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-5", 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-2", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-1,5-6", 100)).toBeUndefined();
    expect(parseRange(undefined, 100)).toBeUndefined();
  });
});
