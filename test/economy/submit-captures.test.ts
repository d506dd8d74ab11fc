// /submit with a recording as the recorder really writes it: accessibility-tree captures stamped
// when they start and written when they end, earlier than the lines before them (docs/economy.md
// section 4). Such a log is queued, graded and settled like the recording it was made from; one
// whose step back no capture's duration explains is refused, reserving nothing.
import { expect, it } from "vitest";
import { capturesWrittenAtEnd } from "#test/grading/fixture.ts";
import { describeConsole } from "#test/helpers/console.ts";
import { FIXTURE_DIR, filesOf, writeDemo } from "./demo-files.ts";

type Data = Record<string, unknown>;

describeConsole(
  "submitting recordings whose captures are written when they end",
  (get) => {
    it("grades such a log like the original, and refuses unexplained disorder", async () => {
      const h = get();
      await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:100 token:USDC reason:grant
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart" ref:task_2
        @cora /pool fund factory:1 amount:1
        @cora /confirm
      `);
      const original = await h.one(`@fay /submit factory:1 ${filesOf(FIXTURE_DIR)}`);
      expect(original.code).toBe("ok");
      const captured = await h.one(
        `@gus /submit factory:1 ${writeDemo("captures-at-end", { log: capturesWrittenAtEnd().log })}`,
      );
      expect(captured.code).toBe("ok");
      expect(captured.data).toMatchObject({ submissionId: 2, status: "queued" });
      await h.app.services.submissions.queue.idle();
      const [first, second] = await h.app.db.prisma.submission.findMany({ orderBy: { id: "asc" } });
      const gradeOf = (row: typeof first) => row!.grade as { score: number; flags: string[]; grader: string };
      expect([first!.status, second!.status]).toEqual(["settled", "settled"]);
      expect(gradeOf(second).grader).toBe("rubric");
      expect(gradeOf(second).flags).not.toContain("out_of_order");
      expect(gradeOf(second).score).toBeGreaterThan(0);
      expect(gradeOf(second).score).toBe(gradeOf(first).score);

      const factory = async () =>
        ((await h.one("@cora /factory info factory:1")).data as { factory: Data }).factory;
      const before = await factory();
      const refused = await h.one(
        `@hal /submit factory:1 ${writeDemo("captures-unexplained", { log: capturesWrittenAtEnd({ explained: false }).log })}`,
      );
      expect(refused.code).toBe("demo_out_of_order");
      expect(refused.text).toContain("line 353");
      expect(await factory()).toEqual(before);
      expect(await h.app.db.prisma.submission.count()).toBe(2);
    });
  },
  { kinds: ["pglite"], moderators: ["mod"] },
);
