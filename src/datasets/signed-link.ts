// Expiring download links served by the bot's HTTP server: HMAC-SHA256 over the path and the expiry
// time, so a link works for its one package until it expires, and a changed path or expiry is
// refused. The link is reusable until then, so an interrupted download resumes with a Range request.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Every download link's path starts with this. */
export const DOWNLOAD_PREFIX = "/datasets/";

/** The path of one version's package, e.g. /datasets/3/v2/<sha256>.zip */
export function packagePath(factoryId: number, version: number, sha256: string): string {
  return `${DOWNLOAD_PREFIX}${factoryId}/v${version}/${sha256}.zip`;
}

export function parsePackagePath(
  path: string,
): { factoryId: number; version: number; sha256: string } | undefined {
  const match = /^\/datasets\/(\d{1,9})\/v(\d{1,9})\/([0-9a-f]{64})\.zip$/.exec(path);
  if (!match) return undefined;
  return { factoryId: Number(match[1]), version: Number(match[2]), sha256: match[3]! };
}

function signature(secret: string, path: string, expires: number): Buffer {
  return createHmac("sha256", secret).update(`download\0${path}\0${expires}`).digest();
}

export function signLink(secret: string, publicUrl: string, path: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${publicUrl}${path}?expires=${expires}&sig=${signature(secret, path, expires).toString("hex")}`;
}

export type LinkCheck = { ok: true } | { ok: false; status: 403 | 410; why: string };

/** Checks a request's path, `expires` and `sig` against the secret and the time now. */
export function checkLink(secret: string, path: string, query: URLSearchParams, now: Date): LinkCheck {
  const expiresText = query.get("expires") ?? "";
  const sig = query.get("sig") ?? "";
  if (!/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{64}$/.test(sig))
    return { ok: false, status: 403, why: "the link is not signed" };
  const expires = Number(expiresText);
  const expected = signature(secret, path, expires);
  if (!timingSafeEqual(expected, Buffer.from(sig, "hex")))
    return { ok: false, status: 403, why: "the link's signature does not match" };
  if (now.getTime() >= expires * 1000)
    return { ok: false, status: 410, why: "the link has expired; ask for a new one with /dataset download" };
  return { ok: true };
}
