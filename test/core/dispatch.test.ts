// The dispatch pipeline with commands defined here, on a real database: confirmations, buttons,
// pages, redelivered events, access, and how bugs reach the user (an id, never a stack trace).
import { Writable } from "node:stream";
import { beforeAll, expect, it } from "vitest";
import { loadConfig } from "#src/config.ts";
import { ManualClock, MINUTE } from "#src/core/clock.ts";
import type { PlatformUser } from "#src/core/context.ts";
import { Dispatcher } from "#src/core/dispatch.ts";
import { runOnce } from "#src/core/idempotency.ts";
import { CommandRegistry } from "#src/core/registry.ts";
import { commandBuilders } from "#src/core/spec.ts";
import { accounts } from "#src/ledger/accounts.ts";
import { parsePositiveAmount } from "#src/ledger/amount.ts";
import { createLogger } from "#src/log.ts";
import { createServices, type Services } from "#src/services.ts";
import { describeEachDatabase } from "#test/helpers/db.ts";

const { command, commandGroup, subcommand } = commandBuilders<Services>();

const pay = command({
  name: "pay",
  description: "Send money to another member",
  options: {
    to: { type: "user", description: "Who", required: true },
    amount: { type: "amount", description: "How much", required: true },
    token: { type: "token", description: "Which token", required: true },
  },
  confirm: (_ctx, args) => ({ text: `Send ${args.amount} ${args.token.symbol} to ${args.to.displayName}?` }),
  async handler(ctx, args) {
    const { db, ledger } = ctx.services;
    const amountAtoms = parsePositiveAmount(args.amount, args.token);
    const { result, replayed } = await db.transaction((tx) =>
      runOnce(
        tx,
        { scope: "test.pay", key: ctx.key, input: { to: args.to.userId, amountAtoms } },
        async () => {
          const transfer = await ledger.transfer(tx, {
            key: `pay|${ctx.key}`,
            debit: accounts.user(ctx.actor.userId, args.token.symbol),
            credit: accounts.user(args.to.userId, args.token.symbol),
            token: args.token.symbol,
            amountAtoms,
            code: "test.pay",
          });
          return { transferId: transfer.id };
        },
      ),
    );
    return {
      text: `Sent (transfer ${result.transferId}${replayed ? ", replayed" : ""}).`,
      data: { transferId: String(result.transferId), replayed },
    };
  },
});

const items = command({
  name: "items",
  description: "A long list",
  handler: (ctx) => ({ text: `page ${ctx.page}`, page: { current: ctx.page, total: 3 } }),
});

const tools = commandGroup({
  name: "tools",
  description: "Mixed access",
  subcommands: {
    open: subcommand({ description: "Anyone", handler: () => ({ text: "open" }) }),
    secret: subcommand({
      description: "Moderators",
      access: "moderator",
      handler: () => ({ text: "secret" }),
    }),
    crash: subcommand({
      description: "A bug",
      handler: () => {
        throw new Error("database password is hunter2");
      },
    }),
  },
});

const alice: PlatformUser = { platform: "console", id: "alice", username: "alice", displayName: "Alice" };
const bob: PlatformUser = { platform: "console", id: "bob", username: "bob", displayName: "Bob" };

describeEachDatabase("the dispatch pipeline", (getDb) => {
  let dispatcher: Dispatcher<Services>;
  let services: Services;
  const clock = new ManualClock("2026-03-01T12:00:00Z");
  const logLines: string[] = [];

  beforeAll(async () => {
    const log = createLogger(
      "info",
      new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    services = await createServices(
      loadConfig({ MODERATORS: "console:alice", LOG_LEVEL: "silent" }),
      getDb(),
      log,
      clock,
    );
    const registry = new CommandRegistry<Services>([pay, items, tools]);
    services.commands = registry;
    dispatcher = new Dispatcher(registry, services, {
      db: getDb(),
      clock,
      tokens: services.tokens,
      identity: services.identity,
      actions: services.actions,
      log,
    });
    await dispatcher.dispatch({
      platform: "console",
      eventId: "b0",
      user: bob,
      path: ["tools", "open"],
      options: {},
    });
    await services.funds.credit({
      actor: { userId: 0, displayName: "m", isModerator: true, platform: "console", platformUserId: "m" },
      key: "seed",
      userId: (await services.identity.ensureUser(alice)).userId,
      token: "USDC",
      amountAtoms: 10_000_000n,
      reason: "seed",
    });
  });

  const balanceOf = async (user: PlatformUser) =>
    (
      await services.ledger.balance(
        getDb().prisma,
        accounts.user((await services.identity.ensureUser(user)).userId, "USDC"),
      )
    ).balanceAtoms;

  it("shows a preview with Confirm and Cancel, and moves money only on Confirm, once", async () => {
    const preview = await dispatcher.dispatch({
      platform: "console",
      eventId: "e1",
      user: alice,
      path: ["pay"],
      options: { to: "@bob", amount: "2", token: "USDC" },
    });
    expect(preview).toMatchObject({ ok: true, code: "confirmation_required" });
    expect(preview.reply.text).toBe("Send 2 USDC to Bob?");
    expect(await balanceOf(bob)).toBe(0n);
    const confirm = preview.reply.buttons!.find((b) => b.label === "Confirm")!;
    expect(Buffer.byteLength(confirm.id)).toBeLessThanOrEqual(64);

    const stranger = await dispatcher.press({
      platform: "console",
      eventId: "p0",
      user: bob,
      buttonId: confirm.id,
    });
    expect(stranger.code).toBe("not_your_button");

    const first = await dispatcher.press({
      platform: "console",
      eventId: "p1",
      user: alice,
      buttonId: confirm.id,
    });
    const second = await dispatcher.press({
      platform: "console",
      eventId: "p2",
      user: alice,
      buttonId: confirm.id,
    });
    expect(first).toMatchObject({ ok: true, code: "ok" });
    // The first press ended the preview: the second is told so, and nothing moves again.
    expect(second).toMatchObject({ ok: false, code: "already_confirmed" });
    expect(second.reply.text).toMatch(/no longer open/);
    expect(await balanceOf(bob)).toBe(2_000_000n);

    const cancelAfter = await dispatcher.press({
      platform: "console",
      eventId: "p3",
      user: alice,
      buttonId: confirm.id.replace("cf:", "cx:"),
    });
    expect(cancelAfter.code).toBe("already_confirmed");
  });

  it("a cancelled or expired confirmation does nothing", async () => {
    const a = await dispatcher.dispatch({
      platform: "console",
      eventId: "e2",
      user: alice,
      path: ["pay"],
      options: { to: "@bob", amount: "1", token: "USDC" },
    });
    const cancel = await dispatcher.press({
      platform: "console",
      eventId: "p4",
      user: alice,
      buttonId: a.reply.buttons!.find((b) => b.label === "Cancel")!.id,
    });
    expect(cancel).toMatchObject({ ok: true, code: "cancelled" });
    const late = await dispatcher.press({
      platform: "console",
      eventId: "p5",
      user: alice,
      buttonId: a.reply.buttons![0]!.id,
    });
    expect(late.code).toBe("confirmation_cancelled");

    const b = await dispatcher.dispatch({
      platform: "console",
      eventId: "e3",
      user: alice,
      path: ["pay"],
      options: { to: "@bob", amount: "1", token: "USDC" },
    });
    clock.advance(16 * MINUTE);
    const expired = await dispatcher.press({
      platform: "console",
      eventId: "p6",
      user: alice,
      buttonId: b.reply.buttons![0]!.id,
    });
    expect(expired.code).toBe("confirmation_expired");
    expect(await balanceOf(bob)).toBe(2_000_000n);
  });

  it("refuses a confirmation the balance no longer covers, and changes nothing", async () => {
    const a = await dispatcher.dispatch({
      platform: "console",
      eventId: "e4",
      user: alice,
      path: ["pay"],
      options: { to: "@bob", amount: "9", token: "USDC" },
    });
    const result = await dispatcher.press({
      platform: "console",
      eventId: "p7",
      user: alice,
      buttonId: a.reply.buttons![0]!.id,
    });
    expect(result.code).toBe("insufficient_funds");
    expect(await balanceOf(bob)).toBe(2_000_000n);
  });

  it("acts once when Confirm is pressed twice at the same moment", async () => {
    const before = await balanceOf(bob);
    const preview = await dispatcher.dispatch({
      platform: "console",
      eventId: "e-twice",
      user: alice,
      path: ["pay"],
      options: { to: "@bob", amount: "0.5", token: "USDC" },
    });
    const confirm = preview.reply.buttons!.find((b) => b.label === "Confirm")!.id;
    const presses = await Promise.all(
      ["p-twice-1", "p-twice-2"].map((eventId) =>
        dispatcher.press({ platform: "console", eventId, user: alice, buttonId: confirm }),
      ),
    );
    expect(presses.map((r) => r.code).sort()).toEqual(["already_confirmed", "ok"]);
    expect(await balanceOf(bob)).toBe(before + 500_000n);
  });

  it("refuses Confirm and Cancel on the id of a page, which confirms nothing", async () => {
    const list = await dispatcher.dispatch({
      platform: "console",
      eventId: "e-page-id",
      user: bob,
      path: ["items"],
      options: {},
    });
    const id = /^pg:([a-z0-9]+):/.exec(list.reply.buttons![0]!.id)![1]!;
    for (const verb of ["cf", "cx"]) {
      const pressed = await dispatcher.press({
        platform: "console",
        eventId: `p-page-${verb}`,
        user: bob,
        buttonId: `${verb}:${id}`,
      });
      expect(pressed.code).toBe("unknown_button");
    }
  });

  it("adds Previous/Next buttons to paged replies and turns pages", async () => {
    const first = await dispatcher.dispatch({
      platform: "console",
      eventId: "e5",
      user: bob,
      path: ["items"],
      options: {},
    });
    expect(first.reply.buttons!.map((b) => b.label)).toEqual(["Next ▶"]);
    const second = await dispatcher.press({
      platform: "console",
      eventId: "p8",
      user: bob,
      buttonId: first.reply.buttons![0]!.id,
    });
    expect(second.reply.text).toBe("page 2");
    expect(second.reply.buttons!.map((b) => b.label)).toEqual(["◀ Previous", "Next ▶"]);
  });

  it("checks declared access, and names a missing subcommand", async () => {
    expect(
      (
        await dispatcher.dispatch({
          platform: "console",
          eventId: "e6",
          user: bob,
          path: ["tools", "secret"],
          options: {},
        })
      ).code,
    ).toBe("forbidden");
    expect(
      (
        await dispatcher.dispatch({
          platform: "console",
          eventId: "e7",
          user: alice,
          path: ["tools", "secret"],
          options: {},
        })
      ).reply.text,
    ).toBe("secret");
    const missing = await dispatcher.dispatch({
      platform: "console",
      eventId: "e8",
      user: bob,
      path: ["tools"],
      options: {},
    });
    expect(missing.reply.text).toMatch(/\/tools open, \/tools secret, \/tools crash/);
  });

  it("turns a bug into a short message with an id, and logs the stack with that id only", async () => {
    const result = await dispatcher.dispatch({
      platform: "console",
      eventId: "e9",
      user: bob,
      path: ["tools", "crash"],
      options: {},
    });
    expect(result).toMatchObject({ ok: false, code: "internal" });
    expect(result.reply.text).toContain(result.errorId!);
    expect(result.reply.text).not.toMatch(/hunter2|Error|at /);
    const logged = logLines.find((line) => line.includes(result.errorId!));
    expect(logged).toBeDefined();
    expect(JSON.parse(logged!).err.stack).toContain("hunter2");
  });

  it("ignores unknown buttons", async () => {
    expect(
      (await dispatcher.press({ platform: "console", eventId: "p9", user: bob, buttonId: "cf:doesnotexist" }))
        .code,
    ).toBe("unknown_button");
    expect(
      (await dispatcher.press({ platform: "console", eventId: "p10", user: bob, buttonId: "something else" }))
        .code,
    ).toBe("unknown_button");
  });
});
