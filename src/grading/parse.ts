// An upload -> a ParsedDemonstration, or a UserError saying what is wrong and what to do. The upload
// is the recorder's folder: meta.json + input_log.jsonl (+ an optional video), loose or in one zip.
// Every check runs before anything is reserved, so a refused upload changes nothing.
import { createHash } from "node:crypto";
import { z } from "zod";
import { UserError } from "../core/errors.ts";
import { parseUploadedJson } from "./json-guard.ts";
import { TimelineCheck } from "./timeline.ts";
import type { DemonstrationMeta, InputEvent, ParsedDemonstration, UploadedFile } from "./types.ts";
import { looksLikeZip, readZip, tooLarge } from "./zip.ts";

export interface DemonstrationLimits {
  /** The whole upload (video included), and the sum of a zip's uncompressed files. */
  maxBytes: number;
  /** input_log.jsonl alone. */
  maxLogBytes: number;
}

export const DEFAULT_DEMONSTRATION_LIMITS: DemonstrationLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxLogBytes: 20 * 1024 * 1024,
};

/** meta.json is a few hundred bytes; anything near this is not the recorder's. */
const MAX_META_BYTES = 256 * 1024;
/** meta.json, input_log.jsonl, a video, and room for the odd extra the zip tool adds. */
const MAX_ZIP_ENTRIES = 16;
const VIDEO_EXTENSIONS = ["mp4", "webm", "mov", "mkv"];
const WHAT_TO_UPLOAD =
  "Upload meta.json and input_log.jsonl from the recording folder (and optionally the video), or one zip of them.";

const metaSchema = z.object({
  id: z.string().trim().min(1),
  timestamp: z.string().trim().min(1),
  duration_seconds: z.number().nonnegative(),
  platform: z.string().trim().min(1),
  quest: z.object({
    title: z.string().trim().min(1),
    app: z.string(),
    objectives: z.array(z.string()),
    pool_id: z.string().nullish(),
    task_id: z.string().nullish(),
  }),
});

const eventSchema = z.object({
  event: z.string().min(1),
  data: z.unknown(),
  time: z.number().refine(Number.isFinite, "expected a finite number"),
});

export type Role = "meta" | "log" | "video";

/** The recorder's files found in an upload, by role. */
interface Located {
  meta: UploadedFile;
  log: UploadedFile;
  video?: UploadedFile;
}

export function parseDemonstration(
  files: readonly UploadedFile[],
  limits: DemonstrationLimits = DEFAULT_DEMONSTRATION_LIMITS,
): ParsedDemonstration {
  if (files.length === 0) throw new UserError("demo_missing_file", `Nothing was uploaded. ${WHAT_TO_UPLOAD}`);
  const uploaded = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (uploaded > limits.maxBytes) throw tooLarge("The upload", limits.maxBytes);

  const located = locate(unpack(files, limits));
  if (located.log.bytes.length > limits.maxLogBytes) throw tooLarge("input_log.jsonl", limits.maxLogBytes);
  if (located.meta.bytes.length > MAX_META_BYTES) throw tooLarge("meta.json", MAX_META_BYTES);

  const meta = parseMeta(located.meta.bytes);
  const events = parseLog(located.log.bytes);
  const parts: Array<[string, Uint8Array]> = [
    ["meta.json", located.meta.bytes],
    ["input_log.jsonl", located.log.bytes],
  ];
  if (located.video) parts.push(["video", located.video.bytes]);
  return {
    meta,
    events,
    contentHash: contentHash(parts),
    totalBytes: parts.reduce((sum, [, bytes]) => sum + bytes.length, 0),
    hasVideo: located.video !== undefined,
  };
}

/**
 * sha256 over the files in a fixed order (meta, log, video), each framed by its role and length so
 * bytes cannot move from one file to the next. Names and zipping do not count: the same recording
 * uploaded loose or zipped, or renamed, has the same hash.
 */
export function contentHash(parts: ReadonlyArray<[string, Uint8Array]>): string {
  const hash = createHash("sha256");
  for (const [role, bytes] of parts) {
    hash.update(`${role}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest("hex");
}

/** A zip (alone) is opened; loose files are taken as they are. */
function unpack(files: readonly UploadedFile[], limits: DemonstrationLimits): UploadedFile[] {
  const zips = files.filter((file) => extension(file.name) === "zip" || looksLikeZip(file.bytes));
  if (zips.length === 0) {
    // One file that is none of the recorder's: most likely a zip that is not one.
    const only = files[0]!;
    if (files.length === 1 && roleOf(only.name) === undefined)
      throw new UserError("demo_not_zip", `${only.name} is not a zip archive. ${WHAT_TO_UPLOAD}`);
    return [...files];
  }
  if (files.length > 1)
    throw new UserError(
      "demo_mixed_upload",
      `Upload either the recording's files or one zip of them, not both. ${WHAT_TO_UPLOAD}`,
    );
  const zip = zips[0]!;
  if (!looksLikeZip(zip.bytes))
    throw new UserError("demo_not_zip", `${zip.name} is not a zip archive. ${WHAT_TO_UPLOAD}`);
  return readZip(zip.name, zip.bytes, { maxTotalBytes: limits.maxBytes, maxEntries: MAX_ZIP_ENTRIES }).map(
    (entry) => ({ name: entry.path, bytes: entry.bytes }),
  );
}

function locate(files: readonly UploadedFile[]): Located {
  const found: Partial<Record<Role, UploadedFile>> = {};
  for (const file of files) {
    const role = roleOf(file.name);
    if (role === undefined)
      throw new UserError(
        "demo_unknown_file",
        `${file.name} is not part of a recording (expected meta.json, input_log.jsonl and optionally a .${VIDEO_EXTENSIONS.join("/.")} video). Remove it and upload again.`,
      );
    if (found[role])
      throw new UserError(
        "demo_duplicate_file",
        `The upload holds two ${role === "video" ? "videos" : baseName(file.name)} files. Upload one recording at a time.`,
      );
    found[role] = file;
  }
  if (!found.meta || !found.log) {
    const missing = [!found.meta && "meta.json", !found.log && "input_log.jsonl"]
      .filter(Boolean)
      .join(" and ");
    throw new UserError(
      "demo_missing_file",
      `${missing} ${missing.includes(" and ") ? "are" : "is"} missing. ${WHAT_TO_UPLOAD}`,
    );
  }
  return { meta: found.meta, log: found.log, ...(found.video ? { video: found.video } : {}) };
}

/** Which of the recorder's files a name is (meta.json, input_log.jsonl, a video), if any. */
export function roleOf(name: string): Role | undefined {
  const base = baseName(name).toLowerCase();
  if (base === "meta.json") return "meta";
  if (base === "input_log.jsonl") return "log";
  if (VIDEO_EXTENSIONS.includes(extension(base))) return "video";
  return undefined;
}

export function baseName(name: string): string {
  return name.split(/[/\\]/).at(-1) ?? name;
}

function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

function decodeText(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(
      "demo_not_text",
      `${file} is not text (it is not valid UTF-8). Upload the file the recorder wrote, unchanged.`,
    );
  }
}

function parseMeta(bytes: Uint8Array): DemonstrationMeta {
  let raw: unknown;
  try {
    raw = parseUploadedJson(decodeText("meta.json", bytes), { file: "meta.json", code: "demo_bad_meta" });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      "demo_bad_meta",
      "meta.json is not valid JSON (it may be cut short). Upload the meta.json the recorder wrote, unchanged.",
    );
  }
  const result = metaSchema.safeParse(raw);
  if (!result.success) {
    const fields = [
      ...new Set(result.error.issues.map((issue) => issue.path.join(".") || "(the whole file)")),
    ];
    throw new UserError(
      "demo_bad_meta",
      `meta.json is missing or has a wrong value for: ${fields.join(", ")}. Upload the meta.json the recorder wrote for this recording.`,
      { fields },
    );
  }
  const { data } = result;
  return {
    id: data.id,
    timestamp: data.timestamp,
    durationSeconds: data.duration_seconds,
    platform: data.platform,
    quest: {
      title: data.quest.title,
      app: data.quest.app,
      objectives: data.quest.objectives,
      ...(data.quest.pool_id ? { poolRef: data.quest.pool_id } : {}),
      ...(data.quest.task_id ? { taskRef: data.quest.task_id } : {}),
    },
  };
}

function parseLog(bytes: Uint8Array): InputEvent[] {
  const text = decodeText("input_log.jsonl", bytes);
  const lines = text.split("\n");
  const events: InputEvent[] = [];
  // The line each event came from, and the recorder's order (timeline.ts): captures may go back.
  const lineOf: number[] = [];
  const timeline = new TimelineCheck();
  let lastLine = lines.length - 1;
  while (lastLine > 0 && lines[lastLine]!.trim() === "") lastLine--;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "") continue;
    const number = index + 1;
    const isLast = index === lastLine;
    let raw: unknown;
    try {
      raw = parseUploadedJson(line, { file: "input_log.jsonl", line: number, code: "demo_bad_log_line" });
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(
        "demo_bad_log_line",
        isLast
          ? `input_log.jsonl is cut short: line ${number} (the last) is not complete JSON. The recording was probably interrupted; upload a complete one.`
          : `input_log.jsonl line ${number} is not valid JSON. Upload the log the recorder wrote, unchanged.`,
        { line: number },
      );
    }
    const result = eventSchema.safeParse(raw);
    if (!result.success)
      throw new UserError(
        "demo_bad_log_line",
        `input_log.jsonl line ${number} is not an event (expected {"event", "data", "time"} with time in milliseconds). Upload the log the recorder wrote, unchanged.`,
        { line: number },
      );
    const event: InputEvent = {
      event: result.data.event,
      data: result.data.data ?? null,
      time: result.data.time,
    };
    const disorder = timeline.step(event);
    if (disorder) {
      const latest = events[disorder.latestIndex]!;
      throw new UserError(
        "demo_out_of_order",
        `input_log.jsonl is out of order: line ${number} (time ${event.time}) is earlier than line ${lineOf[disorder.latestIndex]} (time ${latest.time}). The log has been edited or merged; upload the recorder's original.`,
        { line: number },
      );
    }
    lineOf.push(number);
    events.push(event);
  }
  if (events.length === 0)
    throw new UserError(
      "demo_empty_log",
      "input_log.jsonl holds no events: nothing was recorded. Record the task again and upload the new folder.",
    );
  return events;
}
