// The bot's HTTP server serving dataset packages behind signed links (signed-link.ts): GET and
// HEAD, with single byte ranges so an interrupted download resumes. The link is checked before
// anything is read; a bad one gets 403, an expired one 410, and neither says what exists.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Clock } from "#src/core/clock.ts";
import type { Database } from "#src/db/database.ts";
import type { Logger } from "#src/log.ts";
import type { RouteHandler } from "#src/platforms/http-server.ts";
import type { BlobStore, ByteRange } from "#src/storage/blob-store.ts";
import { checkLink, parsePackagePath } from "./signed-link.ts";

export interface DownloadRouteDeps {
  db: Database;
  blobs: BlobStore;
  secret: string;
  clock: Clock;
  log: Logger;
}

export function datasetDownloadRoute(deps: DownloadRouteDeps): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const plain = (status: number, text: string, headers: Record<string, string> = {}) =>
      void res.writeHead(status, { "content-type": "text/plain", ...headers }).end(text);
    if (req.method !== "GET" && req.method !== "HEAD")
      return plain(405, "method not allowed", { allow: "GET, HEAD" });
    const url = new URL(req.url ?? "/", "http://localhost");
    const check = checkLink(deps.secret, url.pathname, url.searchParams, deps.clock.now());
    if (!check.ok) return plain(check.status, check.why);
    const target = parsePackagePath(url.pathname);
    const row =
      target &&
      (await deps.db.prisma.datasetVersion.findUnique({
        where: { factoryId_version: { factoryId: target.factoryId, version: target.version } },
      }));
    if (!target || !row || row.sha256 !== target.sha256) return plain(404, "not found");
    const size = Number(row.sizeBytes);
    const range = parseRange(req.headers.range, size);
    if (range === "unsatisfiable")
      return plain(416, "range not satisfiable", { "content-range": `bytes */${size}` });
    const headers: Record<string, string> = {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="factory-${target.factoryId}-dataset-v${target.version}.zip"`,
      "accept-ranges": "bytes",
      etag: `"${row.sha256}"`,
      "cache-control": "private, no-store",
    };
    if (range) {
      headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
      headers["content-length"] = String(range.end - range.start + 1);
    } else headers["content-length"] = String(size);
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === "HEAD" || size === 0) return void res.end();
    deps.log.info(
      { factoryId: target.factoryId, version: target.version, range: req.headers.range },
      "serving a dataset package",
    );
    await pipeline(await deps.blobs.get(row.sha256, range ?? undefined), res);
  };
}

/**
 * One range of a Range header ("bytes=a-b", "bytes=a-", "bytes=-n"), clamped to the size; undefined
 * for none (or one this server ignores, such as several ranges: the whole file is sent).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
