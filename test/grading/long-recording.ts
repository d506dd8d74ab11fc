// A long recording made from the real one: its events repeated back to back (times shifted so the
// log stays in order, as one session would be) until the log reaches the size asked for. The 16 MB
// log of issue 11 is about 140 copies: some 23 minutes of recording, 160,000 events.
import { fixtureLogText, fixtureMetaJson } from "./fixture.ts";
import { writeZip } from "./zip-writer.ts";

/** A pause between copies, so one copy's last event and the next one's first are not simultaneous. */
const GAP_MS = 500;

export interface LongRecording {
  meta: Uint8Array;
  log: Uint8Array;
  /** meta.json and input_log.jsonl zipped (deflate), as a farmer uploads them. */
  zip: Uint8Array;
  events: number;
}

export function longRecording(targetLogBytes: number, id = "long-recording"): LongRecording {
  const events = fixtureLogText
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { time: number });
  const first = events[0]!.time;
  const span = events.at(-1)!.time - first + GAP_MS;
  const lines: string[] = [];
  let bytes = 0;
  for (let copy = 0; bytes < targetLogBytes; copy++) {
    for (const event of events) {
      const line = JSON.stringify({ ...event, time: event.time + copy * span });
      lines.push(line);
      bytes += line.length + 1;
    }
  }
  const log = new TextEncoder().encode(`${lines.join("\n")}\n`);
  const copies = lines.length / events.length;
  const meta = new TextEncoder().encode(
    JSON.stringify({ ...fixtureMetaJson, id, duration_seconds: Math.round((copies * span) / 1000) }),
  );
  const zip = writeZip([
    { name: "meta.json", bytes: meta },
    { name: "input_log.jsonl", bytes: log },
  ]);
  return { meta, log, zip, events: lines.length };
}
