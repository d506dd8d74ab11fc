// The drain waits for commands still running, whatever front end started them (a Telegram webhook
// answered early, say): the dispatcher's idle() resolves only once each has its answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command } from "#commands/_kit.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";

let release: () => void = () => {};
let reached = false;
const slowCommand = command({
  name: "slow",
  description: "Test: answers when the test lets it",
  async handler() {
    reached = true;
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return { text: "done" };
  },
});

describe("Dispatcher.idle", () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await createTestApp("pglite", { extraCommands: [slowCommand] });
  });
  afterAll(() => test?.close());

  it("resolves at once when nothing runs, and only after a running command has answered", async () => {
    const { dispatcher } = test.app;
    await dispatcher.idle();
    const user = { platform: "console" as const, id: "ann", displayName: "ann" };
    const answer = dispatcher.dispatch({
      platform: "console",
      eventId: "slow-1",
      user,
      path: ["slow"],
      options: {},
    });
    let idle = false;
    const waiting = dispatcher.idle().then(() => {
      idle = true;
    });
    // Let the command reach its handler.
    while (!reached) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(idle).toBe(false);
    release();
    await waiting;
    expect((await answer).reply.text).toBe("done");
  });
});
