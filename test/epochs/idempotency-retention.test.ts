// Idempotency records are pruned after IDEMPOTENCY_RETENTION_DAYS by the idempotency-retention job,
// on both databases, with the bot's clock moved forward: a platform's redelivery a day later still
// finds its record (and changes nothing), and once the retention has passed the record is gone.
import { expect, it } from "vitest";
import { loadConfig } from "#src/config.ts";
import { DAY, HOUR } from "#src/core/clock.ts";
import { parseCommandLine } from "#src/core/command-line.ts";
import { IDEMPOTENCY_RETENTION_JOB } from "#src/epochs/idempotency-retention-job.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";

/** Delivers `line` as the platform event `eventId` (the same id twice is a redelivery). */
function deliver(h: ConsoleHarness, eventId: string, line: string) {
  const parsed = parseCommandLine(line)!;
  const name = parsed.user!;
  return h.app.dispatcher.dispatch({
    platform: "console",
    eventId,
    user: { platform: "console", id: name, username: name, displayName: name },
    path: parsed.path,
    options: parsed.options,
    isPrivateChat: true,
  });
}

const RETENTION_DAYS = 3;
const CREDIT = "@alice /admin credit user:@bob amount:5 token:USDC reason:grant";

describeConsole(
  "idempotency records retention",
  (get) => {
    const records = (h: ConsoleHarness) =>
      h.app.db.prisma.idempotencyRecord.count({ where: { key: { contains: "console:credit-1" } } });
    const bobsUsdc = async (h: ConsoleHarness) => {
      const data = (await h.one("@bob /balance token:USDC")).data as { balances: Array<{ balance: string }> };
      return data.balances[0]?.balance;
    };
    const prune = async (h: ConsoleHarness) => {
      const [report] = await h.app.services.scheduler.tick(IDEMPOTENCY_RETENTION_JOB);
      expect(report).toMatchObject({ outcome: "ran", run: { status: "done" } });
      return report!.run.data as { deleted: number; olderThan: string };
    };

    it("keeps a record through the redelivery window, then deletes it", async () => {
      const h = get();
      // Records may be stamped with the database's (real) time: the bot's clock starts there.
      h.clock.set(new Date());
      expect((await h.one("@bob /balance")).code).toBe("ok");
      expect((await deliver(h, "credit-1", CREDIT)).code).toBe("ok");
      expect(await records(h)).toBe(1);

      // A day later (Telegram's longest redelivery), the pruning runs: the record stays, and the
      // redelivered event is recognized and credits nothing.
      h.clock.advance(DAY + HOUR);
      const early = await prune(h);
      expect(early.deleted).toBe(0);
      expect(await records(h)).toBe(1);
      expect((await deliver(h, "credit-1", CREDIT)).code).toBe("ok");
      expect(await bobsUsdc(h)).toBe("5");

      // Past the retention the record goes.
      h.clock.advance((RETENTION_DAYS - 1) * DAY);
      const late = await prune(h);
      expect(late.deleted).toBeGreaterThanOrEqual(1);
      expect(new Date(late.olderThan).getTime()).toBe(h.clock.now().getTime() - RETENTION_DAYS * DAY);
      expect(await records(h)).toBe(0);
      expect(await bobsUsdc(h)).toBe("5");
    });
  },
  {
    moderators: ["alice"],
    env: { IDEMPOTENCY_RETENTION_DAYS: String(RETENTION_DAYS) },
  },
);

it("refuses a retention shorter than the platforms' redelivery window", () => {
  expect(() => loadConfig({ IDEMPOTENCY_RETENTION_DAYS: "1" })).toThrow(/at least 2 days/);
  expect(loadConfig({}).IDEMPOTENCY_RETENTION_DAYS).toBe(7);
});
