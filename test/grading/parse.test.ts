// Uploads of the real recording are accepted, loose or zipped, with one content hash; damaged copies
// of it are refused with a message that says what is wrong and what to do.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "#src/core/errors.ts";
import { matchTask } from "#src/grading/match-task.ts";
import { DEFAULT_DEMONSTRATION_LIMITS, parseDemonstration } from "#src/grading/parse.ts";
import type { UploadedFile } from "#src/grading/types.ts";
import {
  fixtureFiles,
  fixtureLog,
  fixtureLogText,
  fixtureMeta,
  fixtureMetaJson,
  noise,
  text,
} from "./fixture.ts";
import { writeZip } from "./zip-writer.ts";

const MB = 1024 * 1024;

/** The UserError parseDemonstration throws for these files (fails the test if it accepts them). */
function refusal(files: UploadedFile[], limits = DEFAULT_DEMONSTRATION_LIMITS): UserError {
  try {
    parseDemonstration(files, limits);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("the upload was accepted");
}

const logLines = fixtureLogText.split("\n").filter((line) => line.trim() !== "");

describe("the real recording", () => {
  it("parses meta.json and every line of input_log.jsonl", () => {
    const parsed = parseDemonstration(fixtureFiles());
    expect(parsed.meta).toEqual({
      id: "20251007_131852",
      timestamp: "2025-10-07T13:18:52.861934+02:00",
      durationSeconds: 11,
      platform: "macos",
      quest: {
        title: "Implement shopping cart",
        app: "Flutter E-Commerce",
        objectives: [
          "Open Flutter E-Commerce project in your IDE",
          "Implement state management for shopping cart",
          "Ensure smooth transition between selection and checkout",
          "Test functionality thoroughly",
        ],
        poolRef: "factory_0xE7B27Cb20EB904A7BAD2d055dC1c50cf89887Df7",
        taskRef: "task_2",
      },
    });
    expect(parsed.events).toHaveLength(1168);
    expect(parsed.events[0]).toMatchObject({ event: "ffmpeg_stderr", time: 1759835933573 });
    expect(parsed.events.at(-1)).toEqual({ event: "mouseup", data: { button: "Left" }, time: 1759835943573 });
    expect(parsed.totalBytes).toBe(fixtureMeta.length + fixtureLog.length);
    expect(parsed.hasVideo).toBe(false);
    expect(parsed.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("has the same content hash loose, zipped in its folder, renamed, or in another order", () => {
    const loose = parseDemonstration(fixtureFiles()).contentHash;
    const zipped = writeZip([
      { name: "20251007_131852/", bytes: new Uint8Array() },
      { name: "20251007_131852/input_log.jsonl", bytes: fixtureLog },
      { name: "20251007_131852/meta.json", bytes: fixtureMeta, method: 0 },
      { name: "__MACOSX/20251007_131852/._meta.json", bytes: text("resource fork") },
      { name: "20251007_131852/.DS_Store", bytes: noise(64) },
    ]);
    expect(parseDemonstration([{ name: "recording.zip", bytes: zipped }]).contentHash).toBe(loose);
    expect(parseDemonstration([...fixtureFiles()].reverse()).contentHash).toBe(loose);
    expect(
      parseDemonstration([
        { name: "Downloads/META.JSON", bytes: fixtureMeta },
        { name: "input_log.jsonl", bytes: fixtureLog },
      ]).contentHash,
    ).toBe(loose);
    // One byte changed is another recording.
    const edited = text(fixtureLogText.replace("ffmpeg version 7.1", "ffmpeg version 7.2"));
    expect(parseDemonstration(fixtureFiles({ log: edited })).contentHash).not.toBe(loose);
  });

  it("accepts a video beside the files, and counts it in the hash", () => {
    const video = noise(200_000, 7);
    const withVideo = parseDemonstration([...fixtureFiles(), { name: "recording.mp4", bytes: video }]);
    expect(withVideo.hasVideo).toBe(true);
    expect(withVideo.totalBytes).toBe(fixtureMeta.length + fixtureLog.length + video.length);
    expect(withVideo.contentHash).not.toBe(parseDemonstration(fixtureFiles()).contentHash);
    const zipped = writeZip([
      { name: "meta.json", bytes: fixtureMeta },
      { name: "input_log.jsonl", bytes: fixtureLog },
      { name: "recording.mp4", bytes: video, method: 0 },
    ]);
    expect(parseDemonstration([{ name: "demo.zip", bytes: zipped }]).contentHash).toBe(withVideo.contentHash);
  });
});

describe("damaged copies are refused", () => {
  it("a log cut short in its last line", () => {
    const cut = fixtureLog.subarray(0, fixtureLog.length - 20);
    const error = refusal(fixtureFiles({ log: cut }));
    expect(error.code).toBe("demo_bad_log_line");
    expect(error.message).toBe(
      "input_log.jsonl is cut short: line 1168 (the last) is not complete JSON. The recording was probably interrupted; upload a complete one.",
    );
  });

  it("a broken line in the middle, named by its number", () => {
    const lines = [...logLines];
    lines[499] = lines[499]!.slice(0, 30);
    const error = refusal(fixtureFiles({ log: text(lines.join("\n")) }));
    expect(error.code).toBe("demo_bad_log_line");
    expect(error.message).toBe(
      "input_log.jsonl line 500 is not valid JSON. Upload the log the recorder wrote, unchanged.",
    );
    expect(error.details).toEqual({ line: 500 });
  });

  it("a line that is JSON but not an event", () => {
    const lines = [...logLines];
    lines[2] = JSON.stringify({ event: "mousemove", data: { x: 1, y: 2 }, time: "soon" });
    const error = refusal(fixtureFiles({ log: text(lines.join("\n")) }));
    expect(error.code).toBe("demo_bad_log_line");
    expect(error.message).toContain("line 3 is not an event");
  });

  it("an empty log", () => {
    for (const log of ["", "\n\n  \n"]) {
      const error = refusal(fixtureFiles({ log: text(log) }));
      expect(error.code).toBe("demo_empty_log");
      expect(error.message).toBe(
        "input_log.jsonl holds no events: nothing was recorded. Record the task again and upload the new folder.",
      );
    }
  });

  it("timestamps out of order", () => {
    // The last event (time ...943573) moved up to line 11, before events of ...933574.
    const lines = [...logLines];
    const last = lines.pop()!;
    lines.splice(10, 0, last);
    const error = refusal(fixtureFiles({ log: text(lines.join("\n")) }));
    expect(error.code).toBe("demo_out_of_order");
    expect(error.message).toBe(
      "input_log.jsonl is out of order: line 12 (time 1759835933574) is earlier than line 11 (time 1759835943573). The log has been edited or merged; upload the recorder's original.",
    );
  });

  it("meta.json without the fields a recording needs", () => {
    const { duration_seconds: _, ...rest } = fixtureMetaJson;
    const quest = { ...(rest.quest as Record<string, unknown>), title: undefined, objectives: "all" };
    const error = refusal(fixtureFiles({ meta: text(JSON.stringify({ ...rest, quest })) }));
    expect(error.code).toBe("demo_bad_meta");
    expect(error.message).toBe(
      "meta.json is missing or has a wrong value for: duration_seconds, quest.title, quest.objectives. Upload the meta.json the recorder wrote for this recording.",
    );
    const broken = refusal(fixtureFiles({ meta: fixtureMeta.subarray(0, 100) }));
    expect(broken.code).toBe("demo_bad_meta");
    expect(broken.message).toContain("meta.json is not valid JSON");
  });

  it("a recording for another task", () => {
    const { meta } = parseDemonstration(fixtureFiles());
    const tasks = [
      { ref: "task_1", title: "Write a unit test" },
      { ref: "task_3", title: "Implement shopping cart (v2)" },
    ];
    const error = (() => {
      try {
        matchTask(meta.quest, tasks);
      } catch (caught) {
        return caught as UserError;
      }
      throw new Error("matched");
    })();
    expect(error.code).toBe("demo_wrong_task");
    expect(error.message).toBe(
      'This recording is for another task ("Implement shopping cart"); this factory\'s tasks are: "Write a unit test", "Implement shopping cart (v2)". Record one of them and upload that recording.',
    );
    // By the recorder's task reference first, else by the exact title.
    expect(matchTask(meta.quest, [...tasks, { ref: "task_2", title: "Cart" }])).toEqual({
      ref: "task_2",
      title: "Cart",
    });
    expect(matchTask(meta.quest, [...tasks, { ref: "t9", title: "Implement shopping cart" }]).ref).toBe("t9");
    expect(() =>
      matchTask(meta.quest, [
        { ref: "a", title: "Implement shopping cart" },
        { ref: "b", title: "Implement shopping cart" },
      ]),
    ).toThrow(expect.objectContaining({ code: "demo_ambiguous_task" }));
  });

  it("10 MB of noise, in every place it can be put", () => {
    const tenMegabytes = noise(10 * MB);
    const alone = refusal([{ name: "recording.zip", bytes: tenMegabytes }]);
    expect(alone.code).toBe("demo_not_zip");
    expect(alone.message).toBe(
      "recording.zip is not a zip archive. Upload meta.json and input_log.jsonl from the recording folder (and optionally the video), or one zip of them.",
    );
    expect(refusal([{ name: "noise.bin", bytes: tenMegabytes }]).code).toBe("demo_not_zip");

    const asLog = refusal(fixtureFiles({ log: tenMegabytes }));
    expect(asLog.code).toBe("demo_not_text");
    expect(asLog.message).toBe(
      "input_log.jsonl is not text (it is not valid UTF-8). Upload the file the recorder wrote, unchanged.",
    );
    const printable = tenMegabytes.map((byte) => 0x20 + (byte % 0x5e));
    expect(refusal(fixtureFiles({ log: printable })).message).toBe(
      "input_log.jsonl is cut short: line 1 (the last) is not complete JSON. The recording was probably interrupted; upload a complete one.",
    );

    const small = { maxBytes: 8 * MB, maxLogBytes: 4 * MB };
    const tooLarge = refusal(fixtureFiles({ log: printable }), small);
    expect(tooLarge.code).toBe("demo_too_large");
    expect(tooLarge.message).toBe(
      "The upload is larger than the 8 MB a demonstration may take. Record a shorter session, or leave the video out.",
    );
    const logTooLarge = refusal(fixtureFiles({ log: printable }), { maxBytes: 50 * MB, maxLogBytes: 4 * MB });
    expect(logTooLarge.message).toBe(
      "input_log.jsonl is larger than the 4 MB a demonstration may take. Record a shorter session, or leave the video out.",
    );
    const withVideo = refusal([...fixtureFiles(), { name: "recording.mp4", bytes: tenMegabytes }], small);
    expect(withVideo.code).toBe("demo_too_large");
  });

  it("a file that is not a zip", () => {
    const error = refusal([{ name: "demo.zip", bytes: text("meta.json and input_log.jsonl, honest") }]);
    expect(error.code).toBe("demo_not_zip");
    expect(error.message).toContain("demo.zip is not a zip archive.");
  });

  it("unknown, missing, doubled or mixed files", () => {
    const unknown = refusal([...fixtureFiles(), { name: "notes.txt", bytes: text("hi") }]);
    expect(unknown.code).toBe("demo_unknown_file");
    expect(unknown.message).toBe(
      "notes.txt is not part of a recording (expected meta.json, input_log.jsonl and optionally a .mp4/.webm/.mov/.mkv video). Remove it and upload again.",
    );
    const missing = refusal([{ name: "meta.json", bytes: fixtureMeta }]);
    expect(missing.code).toBe("demo_missing_file");
    expect(missing.message).toBe(
      "input_log.jsonl is missing. Upload meta.json and input_log.jsonl from the recording folder (and optionally the video), or one zip of them.",
    );
    expect(refusal([]).code).toBe("demo_missing_file");
    expect(refusal([...fixtureFiles(), { name: "b/meta.json", bytes: fixtureMeta }]).code).toBe(
      "demo_duplicate_file",
    );
    const zip = writeZip([{ name: "meta.json", bytes: fixtureMeta }]);
    const mixed = refusal([...fixtureFiles(), { name: "demo.zip", bytes: zip }]);
    expect(mixed.code).toBe("demo_mixed_upload");
    const zipMissing = refusal([{ name: "demo.zip", bytes: zip }]);
    expect(zipMissing.message).toContain("input_log.jsonl is missing.");
  });
});

describe("hostile zips are refused before they cost anything", () => {
  const zipRefusal = (entries: Parameters<typeof writeZip>[0], limits = DEFAULT_DEMONSTRATION_LIMITS) =>
    refusal([{ name: "demo.zip", bytes: writeZip(entries) }], limits);

  it("a bomb that declares its true size is refused before inflating", () => {
    const zeros = new Uint8Array(10 * MB);
    const error = zipRefusal(
      [
        { name: "meta.json", bytes: fixtureMeta },
        { name: "input_log.jsonl", bytes: zeros },
      ],
      { maxBytes: 8 * MB, maxLogBytes: 4 * MB },
    );
    expect(error.code).toBe("demo_too_large");
    expect(error.message).toContain("demo.zip is larger than the 8 MB");
  });

  it("a bomb that lies about its size stops inflating at the declared size", () => {
    const error = zipRefusal([
      { name: "meta.json", bytes: fixtureMeta },
      { name: "input_log.jsonl", bytes: new Uint8Array(10 * MB), declaredSize: 1000 },
    ]);
    expect(error.code).toBe("demo_bad_zip");
    expect(error.message).toBe(
      "demo.zip is a damaged or unsupported zip (input_log.jsonl is larger than its header says). Zip meta.json and input_log.jsonl again with a standard zip tool, or upload the files themselves.",
    );
  });

  it("paths that climb out of the archive", () => {
    for (const name of [
      "../meta.json",
      "/etc/meta.json",
      "a/../../meta.json",
      "C:/meta.json",
      "a\\meta.json",
    ]) {
      const error = zipRefusal([
        { name, bytes: fixtureMeta },
        { name: "input_log.jsonl", bytes: fixtureLog },
      ]);
      expect(error.code).toBe("demo_bad_zip");
      expect(error.message).toContain("which points outside the archive");
    }
  });

  it("too many entries, a failed checksum, a cut archive", () => {
    const many = Array.from({ length: 17 }, (_, i) => ({ name: `f${i}.json`, bytes: text("{}") }));
    expect(zipRefusal(many).message).toContain("holds 17 entries; a demonstration has at most 16 files");

    const good = writeZip([
      { name: "meta.json", bytes: fixtureMeta, method: 0 },
      { name: "input_log.jsonl", bytes: fixtureLog },
    ]);
    const flipped = good.slice();
    flipped[40] = flipped[40]! ^ 0xff; // inside meta.json's stored bytes
    expect(refusal([{ name: "demo.zip", bytes: flipped }]).message).toContain("meta.json fails its checksum");

    const cut = good.subarray(0, good.length - 30);
    expect(refusal([{ name: "demo.zip", bytes: cut }]).code).toBe("demo_bad_zip");
    expect(refusal([{ name: "demo.zip", bytes: good.subarray(0, 1000) }]).code).toBe("demo_bad_zip");
  });
});

describe("properties", () => {
  const small = text(JSON.stringify(fixtureMetaJson));
  const log = text(fixtureLogText.split("\n").slice(0, 40).join("\n"));
  const zip = writeZip([
    { name: "rec/meta.json", bytes: small },
    { name: "rec/input_log.jsonl", bytes: log },
  ]);

  it("a zip damaged anywhere is accepted intact or refused with a UserError, never a crash", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(zip.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(zip.length),
        (flips, cut) => {
          const damaged = zip.slice(0, Math.max(4, cut));
          for (const { at, value } of flips) if (at < damaged.length) damaged[at] = value;
          try {
            const parsed = parseDemonstration([{ name: "demo.zip", bytes: damaged }]);
            // Whatever got through passed every CRC: it is the original recording.
            expect(parsed.events).toHaveLength(40);
          } catch (error) {
            expect(error).toBeInstanceOf(UserError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("any bytes as meta.json or input_log.jsonl are parsed or refused with a UserError", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map(text)),
        fc.boolean(),
        (bytes, asLog) => {
          try {
            parseDemonstration(fixtureFiles(asLog ? { log: bytes } : { meta: bytes }));
          } catch (error) {
            expect(error).toBeInstanceOf(UserError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
