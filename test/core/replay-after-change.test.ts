// A platform redelivers an event (Discord retries an interaction, Telegram an update) with the same
// id, so the same idempotency key, possibly after the state it was checked against has changed:
// the replay must return the first run's result and change nothing, never be refused by a check
// that the first run itself (or a later command) made false. Each command here is delivered,
// the state moves on, and the same event comes again.
import { Keypair } from "@solana/web3.js";
import { expect, it } from "vitest";
import { parseCommandLine } from "#src/core/command-line.ts";
import type { DispatchResult } from "#src/core/dispatch.ts";
import { writeDemo } from "#test/economy/demo-files.ts";
import { type ConsoleHarness, describeConsole } from "#test/helpers/console.ts";
import { signText } from "#test/helpers/solana.ts";

/** Delivers `line` as the platform event `eventId` (the same id twice is a redelivery). */
function deliver(h: ConsoleHarness, eventId: string, line: string): Promise<DispatchResult> {
  const parsed = parseCommandLine(line)!;
  const name = parsed.user!;
  return h.app.dispatcher.dispatch({
    platform: "console",
    eventId,
    user: { platform: "console", id: name, username: name, displayName: name },
    path: parsed.path,
    options: parsed.options,
    isPrivateChat: true,
    allowLocalFiles: true,
  });
}

const outcome = (r: DispatchResult) => [r.code, r.reply.text];

describeConsole(
  "replaying an event after the state changed",
  (get) => {
    it("factory addtask without ref, edit and bid set: the first result, even after more tasks and a close", async () => {
      const h = get();
      const setup = await h.run(`
        @cora /factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build"
      `);
      expect(setup.map((r) => r.code)).toEqual(["ok"]);
      const tasks = async () =>
        (await h.app.db.prisma.factoryTask.findMany({ where: { factoryId: 1 }, orderBy: { id: "asc" } })).map(
          (t) => `${t.ref}:${t.title}`,
        );

      const addTask = '@cora /factory addtask factory:1 title:Checkout app:Shop objectives:"Pay"';
      const first = await deliver(h, "addtask-1", addTask);
      expect(first.code).toBe("ok");
      expect(await tasks()).toEqual(["task_1:Implement shopping cart", "task_2:Checkout"]);
      // Another task arrives in between: the default ref of a new one is now task_4.
      expect(
        (await h.one('@cora /factory addtask factory:1 title:Search app:Shop objectives:"Find"')).code,
      ).toBe("ok");
      const replayed = await deliver(h, "addtask-1", addTask);
      expect(outcome(replayed)).toEqual(["ok", expect.stringContaining("Checkout")]);
      expect(await tasks()).toEqual(["task_1:Implement shopping cart", "task_2:Checkout", "task_3:Search"]);

      const edit = await deliver(h, "edit-1", "@cora /factory edit factory:1 name:Baskets");
      const bid = await deliver(h, "bid-1", "@cora /bid set factory:1 bid:0.3");
      expect([edit.code, bid.code]).toEqual(["ok", "ok"]);
      expect((await h.one("@cora /factory close factory:1")).code).toBe("ok");
      // Still refused for a new request...
      expect((await h.one("@cora /factory edit factory:1 name:Other")).code).toBe("factory_closed");
      expect((await h.one("@cora /bid set factory:1 bid:0.4")).code).toBe("factory_closed");
      // ...but the redelivered ones return their first result and change nothing.
      expect((await deliver(h, "edit-1", "@cora /factory edit factory:1 name:Baskets")).code).toBe("ok");
      expect((await deliver(h, "bid-1", "@cora /bid set factory:1 bid:0.3")).code).toBe("ok");
      const factory = await h.app.db.prisma.factory.findUniqueOrThrow({ where: { id: 1 } });
      expect([factory.name, factory.bidAtoms.toFixed(), factory.status]).toEqual([
        "Baskets",
        "300000",
        "closed",
      ]);
      expect(await h.app.db.prisma.bidChange.count({ where: { factoryId: 1 } })).toBe(2);
    });

    it("review appeal: the first result once the appeal is waiting", async () => {
      const h = get();
      const setup = await h.run(`
        @dan /balance
        @mod /admin credit user:@dan amount:100 token:USDC reason:grant
        @dan /factory create name:Shop token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open; Build" ref:task_2
        @dan /pool fund factory:2 amount:10
        @dan /confirm
        @fay /submit factory:2 ${writeDemo("appeal-replay")}
      `);
      expect(setup.map((r) => r.code)).toEqual(["ok", "ok", "ok", "confirmation_required", "ok", "ok"]);
      await h.app.services.submissions.queue.idle();
      const id = (setup[5]!.data as { submissionId: number }).submissionId;
      const line = `@fay /review appeal submission:${id} reason:"I did it all"`;
      expect((await deliver(h, "appeal-1", line)).code).toBe("ok");
      const replayed = await deliver(h, "appeal-1", line);
      expect(outcome(replayed)).toEqual(["ok", expect.stringContaining("is with the reviewers")]);
      // A new appeal of the same submission is still refused while one waits.
      expect((await h.one(`@fay /review appeal submission:${id} reason:"again"`)).code).toBe("invalid_state");
      const row = await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id } });
      expect(row.appealReason).toBe("I did it all");
    });

    it("wallet verify: the first result once its message is used", async () => {
      const h = get();
      const wallet = Keypair.generate();
      const challenge = await h.one(`@gil /wallet link address:${wallet.publicKey.toBase58()}`);
      expect(challenge.code).toBe("ok");
      const signature = signText(wallet, (challenge.data as { message: string }).message);
      const line = `@gil /wallet verify signature:${signature}`;
      const first = await deliver(h, "verify-1", line);
      expect(first.code).toBe("ok");
      const replayed = await deliver(h, "verify-1", line);
      expect([replayed.code, replayed.reply.data]).toEqual(["ok", first.reply.data]);
      // A new event with the used message is still refused.
      expect((await h.one(line)).code).toBe("link_message_used");
    });
  },
  { moderators: ["mod"] },
);
