// A small zip reader for one purpose: a farmer's upload of a few recorder files. It trusts nothing in
// the archive: every offset is bounds-checked, the total uncompressed size and the number of entries
// are capped before anything is inflated, inflation itself stops at the cap (a zip bomb that lies
// about its sizes still stops there), names that climb out of the archive are refused, and every
// entry's CRC is checked. Zip64, encryption and methods other than stored/deflate are refused: the
// recorder's files never need them.
import * as zlib from "node:zlib";
import { UserError } from "../core/errors.ts";

export interface ZipLimits {
  /** The sum of the entries' uncompressed sizes may not exceed this. */
  maxTotalBytes: number;
  maxEntries: number;
}

export interface ZipEntry {
  /** The path inside the archive, as written ("folder/meta.json"). */
  path: string;
  bytes: Uint8Array;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** True when the bytes start like a zip archive (a local file header, or an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const signature = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return signature === LOCAL_HEADER || signature === END_OF_CENTRAL_DIRECTORY;
}

/** Reads every file of the archive (directories and macOS metadata are skipped). Throws UserError. */
export function readZip(name: string, bytes: Uint8Array, limits: ZipLimits): ZipEntry[] {
  const damaged = (why: string) =>
    new UserError(
      "demo_bad_zip",
      `${name} is a damaged or unsupported zip (${why}). Zip meta.json and input_log.jsonl again with a standard zip tool, or upload the files themselves.`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => {
    if (at < 0 || at + 2 > bytes.length) throw damaged("it ends early");
    return view.getUint16(at, true);
  };
  const u32 = (at: number) => {
    if (at < 0 || at + 4 > bytes.length) throw damaged("it ends early");
    return view.getUint32(at, true);
  };

  // The end record is within the last 22 + 65535 bytes (its comment is at most 65535 long).
  let end = -1;
  for (
    let at = bytes.length - END_RECORD_SIZE;
    at >= Math.max(0, bytes.length - END_RECORD_SIZE - MAX_COMMENT);
    at--
  ) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw damaged("its table of contents is missing");
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0) throw damaged("it is split over several disks");
  const count = u16(end + 10);
  const directorySize = u32(end + 12);
  const directoryStart = u32(end + 16);
  if (count === 0xffff || directoryStart === 0xffffffff) throw damaged("zip64 is not supported");
  if (count > limits.maxEntries)
    throw new UserError(
      "demo_bad_zip",
      `${name} holds ${count} entries; a demonstration has at most ${limits.maxEntries} files. Zip only meta.json, input_log.jsonl and the video.`,
    );
  if (directoryStart + directorySize > end) throw damaged("its table of contents points outside the file");

  const entries: Array<{
    path: string;
    method: number;
    crc: number;
    packed: number;
    size: number;
    local: number;
  }> = [];
  let total = 0;
  let at = directoryStart;
  for (let index = 0; index < count; index++) {
    if (u32(at) !== CENTRAL_HEADER) throw damaged("its table of contents is corrupt");
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    const packed = u32(at + 20);
    const size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    const local = u32(at + 42);
    if (at + 46 + nameLength > bytes.length) throw damaged("it ends early");
    const path = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & 0x1) throw damaged(`${path} is encrypted`);
    if (!isSafePath(path))
      throw new UserError(
        "demo_bad_zip",
        `${name} contains the path "${path}", which points outside the archive. Zip the recording folder's files directly.`,
      );
    if (path.endsWith("/") || isMetadataJunk(path)) continue;
    if (method !== 0 && method !== 8) throw damaged(`${path} uses compression method ${method}; use deflate`);
    if (packed === 0xffffffff || size === 0xffffffff) throw damaged("zip64 is not supported");
    total += size;
    if (total > limits.maxTotalBytes) throw tooLarge(name, limits.maxTotalBytes);
    entries.push({ path, method, crc, packed, size, local });
  }

  return entries.map((entry) => {
    if (u32(entry.local) !== LOCAL_HEADER) throw damaged(`the header of ${entry.path} is missing`);
    const start = entry.local + 30 + u16(entry.local + 26) + u16(entry.local + 28);
    if (start + entry.packed > bytes.length) throw damaged(`${entry.path} ends early`);
    const packed = bytes.subarray(start, start + entry.packed);
    let data: Uint8Array;
    if (entry.method === 0) data = packed;
    else {
      try {
        // One byte more than declared: a stream that inflates beyond its declared size is caught
        // below, and inflation never runs past what the caps allow.
        data = zlib.inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size + 1) });
      } catch (error) {
        if (error instanceof RangeError) throw damaged(`${entry.path} is larger than its header says`);
        throw damaged(`${entry.path} does not decompress`);
      }
    }
    if (data.length !== entry.size) throw damaged(`${entry.path} is not the size its header says`);
    if (crc32(data) !== entry.crc) throw damaged(`${entry.path} fails its checksum`);
    return { path: entry.path, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  });
}

export function tooLarge(name: string, maxBytes: number): UserError {
  return new UserError(
    "demo_too_large",
    `${name} is larger than the ${formatBytes(maxBytes)} a demonstration may take. Record a shorter session, or leave the video out.`,
    { maxBytes },
  );
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

function isSafePath(path: string): boolean {
  if (path.length === 0 || path.includes("\0") || path.includes("\\")) return false;
  if (path.startsWith("/") || /^[a-z]:/i.test(path)) return false;
  return !path.split("/").some((segment) => segment === "..");
}

/** What macOS's Finder adds to a zip beside the files: resource forks and folder settings. */
export function isMetadataJunk(path: string): boolean {
  const base = path.split("/").at(-1) ?? "";
  return path.startsWith("__MACOSX/") || base === ".DS_Store" || base.startsWith("._");
}

/** zip's CRC-32: zlib's (node 20.15+), else a table (package.json allows node 20.12). */
export function crc32(bytes: Uint8Array): number {
  if (typeof zlib.crc32 === "function") return zlib.crc32(bytes) >>> 0;
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
