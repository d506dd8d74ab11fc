// Every command in commands/, fuzzed from its spec through the real dispatcher and console on a
// seeded database (users, factories, a funded pool, balances, a stake): options missing, duplicated,
// unknown, huge, unicode, NUL, lone surrogates, injection strings, markup, other people's ids, huge
// and negative numbers, decimals with many places, NaN, and uploads nested 5,000 deep. Whatever comes
// in, the outcome is ok or a stable user error (never "internal"), and a refused command leaves the
// books exactly as they were. Every problem found in a run is listed at the end, not just the first.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchResult } from "#src/core/dispatch.ts";
import type { RawAttachment, RawOptionValue } from "#src/core/options.ts";
import type { OptionSpec, ResolvedLeaf } from "#src/core/spec.ts";
import { auditLedger } from "#src/ledger/audit.ts";
import { createLogger } from "#src/log.ts";
import { ConsoleFrontEnd } from "#src/platforms/console/console.ts";
import { writeDemo } from "#test/economy/demo-files.ts";
import { type ConsoleHarness, startConsole } from "#test/helpers/console.ts";
import { optionValueArb, recordingArb, type UploadValue } from "#test/helpers/hostile-values.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const ACTORS = ["alice", "bob", "cora", "mod"] as const;
const STABLE_CODE = /^[a-z][a-z0-9_]*$/;

/** Internal errors as the dispatcher logs them, so a failure names its cause. */
const logged: Array<{ errorId?: string; err?: { message?: string } }> = [];
const log = createLogger("error", {
  write(line: string) {
    logged.push(JSON.parse(line));
    return true;
  },
} as NodeJS.WritableStream);

/** What the dispatcher answers, or the console's record of it. */
type Outcome = Pick<DispatchResult, "ok" | "code" | "errorId"> & { reply?: DispatchResult["reply"] };

interface Run {
  leaf: ResolvedLeaf<unknown>;
  actor: (typeof ACTORS)[number];
  options: Record<string, RawOptionValue | UploadValue>;
  /** An option the command does not have. */
  unknown?: string;
  /** Typed on the console (with the first option given twice, sometimes) instead of dispatched. */
  console: boolean;
  duplicate: boolean;
  confirm: boolean;
}

/** Undefined nine times in ten. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const isUpload = (value: unknown): value is UploadValue =>
  typeof value === "object" && value !== null && "bytes" in value;

const uploadDir = mkdtempSync(join(tmpdir(), "forgebot-fuzz-"));
let uploads = 0;

function rawAttachment(file: UploadValue): RawAttachment {
  return { kind: "attachment", name: file.name, sizeBytes: file.bytes.length, read: async () => file.bytes };
}

function consoleLine(run: Run): string {
  const quote = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const words = Object.entries(run.options).map(([name, value]) => {
    if (!isUpload(value)) return `${name}:${quote(String(value))}`;
    const dir = join(uploadDir, String(++uploads));
    mkdirSync(dir);
    writeFileSync(join(dir, value.name), value.bytes);
    return `${name}:${quote(`file:${join(dir, value.name)}`)}`;
  });
  if (run.duplicate && words[0]) words.push(words[0]);
  if (run.unknown) words.push(`${run.unknown}:1`);
  return `@${run.actor} /${run.leaf.path.join(" ")} ${words.join(" ")}`;
}

/** The books: every transfer and every non-zero balance or pending amount. */
async function books(h: ConsoleHarness): Promise<string> {
  const [row] = await h.app.db.prisma.$queryRawUnsafe<Array<{ transfers: number; balances: string | null }>>(
    `SELECT (SELECT count(*) FROM transfers)::int AS transfers,
            (SELECT string_agg(id || ':' || balance || ':' || pending_debits, ',' ORDER BY id)
             FROM accounts WHERE balance <> 0 OR pending_debits <> 0) AS balances`,
  );
  return JSON.stringify(row);
}

function describeRun(run: Run): string {
  const shown = Object.fromEntries(
    Object.entries(run.options).map(([k, v]) => {
      if (isUpload(v)) return [k, `<${v.note}>`];
      const text = typeof v === "string" && v.length > 60 ? `${v.slice(0, 30)}…(${v.length})` : v;
      return [k, text];
    }),
  );
  return `@${run.actor} /${run.leaf.path.join(" ")} ${JSON.stringify(shown)}${run.unknown ? ` +${run.unknown}` : ""}${run.console ? " (console)" : ""}`;
}

describe("every command, fuzzed from its spec [pglite]", () => {
  let h: ConsoleHarness;
  let front: ConsoleFrontEnd;
  let events = 0;

  beforeAll(async () => {
    // One accepted demonstration launches a dataset token here, so /dataset trades, burns and
    // bundles are fuzzed against a live curve, not only refused for a missing one.
    h = await startConsole("pglite", {
      moderators: ["mod"],
      log,
      env: { DATASET_MIN_DEMONSTRATIONS: "1", QUALITY_THRESHOLD: "0" },
    });
    front = new ConsoleFrontEnd(h.app.dispatcher as never, {
      defaultUser: "mod",
      json: true,
      color: false,
      imageDir: join(uploadDir, "images"),
      write: () => {},
    });
    const seeded = await h.run(`
      @alice /balance
      @bob /balance
      @cora /balance
      @mod /admin credit user:@cora amount:100 token:USDC reason:grant
      @mod /admin credit user:@alice amount:50 token:USDC reason:grant
      @mod /admin credit user:@alice amount:5000000 token:CLONES reason:grant
      @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open the project; Implement the cart" ref:task_2
      @cora /pool fund factory:1 amount:10
      @cora /confirm
      @bob /factory create name:Other token:USDC bid:0.1 task:Sort app:Files objectives:"Sort the files"
      @alice /stake add amount:1000000
      @alice /stake remove amount:10
      @bob /submit factory:1 ${writeDemo("fuzz-seed", { id: "fuzz-seed" })}
    `);
    await h.app.services.submissions.queue.idle();
    seeded.push(
      ...(await h.run(`
        @mod /admin credit user:@cora amount:500 token:CLONES reason:grant
        @mod /admin credit user:@cora amount:0.05 token:SOL reason:grant
        @cora /dataset launch factory:1 symbol:FUZZ
        @cora /confirm
        @alice /dataset buy symbol:FUZZ amount:100
        @alice /confirm
      `)),
    );
    for (const r of seeded)
      expect([r.command, r.code], r.text).toEqual([
        r.command,
        expect.stringMatching(/^(ok|confirmation_required)$/),
      ]);
  });

  afterAll(async () => {
    await h?.close();
  });

  it("lets in a member whose platform name holds NUL or half an emoji, with the name cleaned", async () => {
    const user = {
      platform: "console" as const,
      id: "eve",
      username: "e\u0000ve",
      displayName: "Ev\u0000e \ud83d",
    };
    const result = await h.app.dispatcher.dispatch({
      platform: "console",
      eventId: "fuzz:names",
      user,
      path: ["profile"],
      options: {},
    });
    expect([result.code, `${result.reply.title} ${result.reply.text}`]).toEqual([
      "ok",
      expect.stringContaining("Eve \ufffd"),
    ]);
  });

  it("answers every input with ok or a stable user error, and refusals leave the books as they were", async () => {
    const leaves = h.app.dispatcher.commands.leaves() as ResolvedLeaf<unknown>[];
    const ids = [1, 2, 3];
    // Commands that take files are tried more often: an upload has more ways to be wrong.
    const takesFiles = (leaf: ResolvedLeaf<unknown>) =>
      Object.values<OptionSpec>(leaf.leaf.options ?? {}).some((spec) => spec.type === "attachment");
    const leafArb = fc.oneof(
      ...leaves.map((leaf) => ({ weight: takesFiles(leaf) ? 5 : 1, arbitrary: fc.constant(leaf) })),
    );
    const runArb: fc.Arbitrary<Run> = leafArb.chain((leaf) => {
      const specs = Object.entries<OptionSpec>(leaf.leaf.options ?? {});
      const attachments = specs.filter(([, spec]) => spec.type === "attachment").map(([name]) => name);
      const values = fc.record<Record<string, RawOptionValue | undefined>>(
        Object.fromEntries(
          specs.map(([name, spec]) => [
            name,
            fc.option(optionValueArb(spec, ids), { nil: undefined, freq: spec.required ? 10 : 2 }),
          ]),
        ),
      );
      const recording =
        attachments.length > 0
          ? fc.option(recordingArb, { nil: undefined, freq: 4 })
          : fc.constant(undefined);
      return fc.record({
        leaf: fc.constant(leaf),
        actor: fc.constantFrom(...ACTORS),
        options: fc.tuple(values, recording).map(([chosen, files]) => {
          const options: Record<string, RawOptionValue | UploadValue> = {};
          for (const [name, value] of Object.entries(chosen)) if (value !== undefined) options[name] = value;
          // The recording's files go to the command's file options, in order (meta, then log).
          for (const [i, name] of attachments.entries()) if (files?.[i]) options[name] = files[i];
          return options;
        }),
        unknown: rarely(fc.constantFrom("bogus", "amount", "__proto__", "constructor")),
        console: fc.boolean(),
        duplicate: rarely(fc.constant(true)).map(Boolean),
        confirm: fc.boolean(),
      });
    });

    const problems: string[] = [];
    const outcomes = new Map<string, number>();
    const check = async (run: Run, step: string, outcome: () => Promise<Outcome>): Promise<Outcome> => {
      await h.app.services.submissions.queue.idle();
      const before = await books(h);
      const result = await outcome();
      await h.app.services.submissions.queue.idle();
      outcomes.set(result.code, (outcomes.get(result.code) ?? 0) + 1);
      if (result.code === "internal") {
        const cause = logged.find((l) => l.errorId === result.errorId)?.err?.message ?? "?";
        problems.push(
          `${step} ${describeRun(run)} -> internal: ${cause
            .split("\n")
            .filter((l) => l.trim())
            .at(-1)
            ?.slice(0, 200)}`,
        );
      } else if (!STABLE_CODE.test(result.code)) {
        problems.push(`${step} ${describeRun(run)} -> unstable code ${result.code}`);
      }
      if (!result.ok && (await books(h)) !== before)
        problems.push(`${step} ${describeRun(run)} -> refused (${result.code}) but the books changed`);
      return result;
    };

    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        const eventId = `fuzz:${++events}`;
        const user = {
          platform: "console" as const,
          id: run.actor,
          username: run.actor,
          displayName: run.actor,
        };
        const first = run.console
          ? await check(run, "line", async () => (await front.runLine(consoleLine(run)))!)
          : await check(run, "dispatch", () => {
              const options: Record<string, RawOptionValue> = {};
              for (const [name, value] of Object.entries(run.options))
                options[name] = isUpload(value) ? rawAttachment(value) : value;
              if (run.unknown) options[run.unknown] = "1";
              return h.app.dispatcher.dispatch({
                platform: "console",
                eventId,
                user,
                path: run.leaf.path,
                options,
                isPrivateChat: true,
              });
            });
        const confirm = first.reply?.buttons?.find((b) => b.id.startsWith("cf:"));
        if (first.code === "confirmation_required" && run.confirm && confirm) {
          await check(run, "confirm", () =>
            h.app.dispatcher.press({
              platform: "console",
              eventId: `${eventId}:cf`,
              user,
              buttonId: confirm.id,
            }),
          );
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );

    const audit = await auditLedger(h.app.db);
    expect(audit.problems).toEqual([]);
    // The fuzzing reached the services, not only the option parser.
    expect(outcomes.get("ok") ?? 0, JSON.stringify(Object.fromEntries(outcomes))).toBeGreaterThan(RUNS / 10);
    expect(problems).toEqual([]);
  }, 180_000);
});
