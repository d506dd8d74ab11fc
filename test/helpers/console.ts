// The bot as a user meets it on the console, in-process: scripts run line by line through the real
// console front end, dispatcher, services and a real (fresh) database.
import { afterAll, beforeAll, describe } from "vitest";
import type { App } from "#src/app.ts";
import type { ManualClock } from "#src/core/clock.ts";
import type { DatabaseKind } from "#src/db/database.ts";
import { ConsoleFrontEnd, type ConsoleRecord } from "#src/platforms/console/console.ts";
import { createTestApp, type TestAppOptions } from "./app.ts";
import { postgresAvailable } from "./db.ts";

export interface ConsoleHarness {
  app: App;
  clock: ManualClock;
  /** Runs each line of `script` (blank and comment lines skipped); returns one record per command. */
  run(script: string): Promise<ConsoleRecord[]>;
  /** Runs one line and returns its record. */
  one(line: string): Promise<ConsoleRecord>;
  /** Notices delivered to console users and channels since the start, as --json prints them. */
  notices: Array<{ to: string; text: string; data?: unknown }>;
  close(): Promise<void>;
}

export interface ConsoleHarnessOptions extends TestAppOptions {
  /** Console users who are moderators. */
  moderators?: string[];
}

export async function startConsole(
  kind: DatabaseKind,
  options: ConsoleHarnessOptions = {},
): Promise<ConsoleHarness> {
  const { app, clock, close } = await createTestApp(kind, options);
  for (const name of options.moderators ?? []) app.services.identity.addModerator("console", name);
  const notices: ConsoleHarness["notices"] = [];
  const front = new ConsoleFrontEnd(app.dispatcher as never, {
    defaultUser: "you",
    json: true,
    color: false,
    imageDir: "data/test-images",
    write: (text) => {
      for (const line of text.split("\n").filter(Boolean)) {
        const parsed = JSON.parse(line) as { notice?: (typeof notices)[number] };
        if (parsed.notice) notices.push(parsed.notice);
      }
    },
  });
  app.services.notifier.register(front.sender());
  const run = async (script: string) => {
    const records: ConsoleRecord[] = [];
    for (const line of script.split("\n")) {
      const record = await front.runLine(line);
      if (record) records.push(record);
    }
    return records;
  };
  return {
    app,
    clock,
    run,
    async one(line) {
      const [record] = await run(line);
      if (!record) throw new Error(`"${line}" is not a command line`);
      return record;
    },
    notices,
    close,
  };
}

/** Declares `suite` once per database kind, each with its own console on a fresh database. */
export function describeConsole(
  name: string,
  suite: (get: () => ConsoleHarness, kind: DatabaseKind) => void,
  options: ConsoleHarnessOptions & { kinds?: DatabaseKind[] } = {},
): void {
  for (const kind of options.kinds ?? (["pglite", "postgres"] as const)) {
    const skip = kind === "postgres" && !postgresAvailable();
    (skip ? describe.skip : describe)(`${name} [${kind}]`, () => {
      let harness: ConsoleHarness | undefined;
      beforeAll(async () => {
        harness = await startConsole(kind, options);
      });
      afterAll(async () => {
        await harness?.close();
      });
      suite(() => {
        if (!harness) throw new Error("the console is not ready yet");
        return harness;
      }, kind);
    });
  }
}
