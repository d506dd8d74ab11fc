// Issue 11 on Discord, with raw interactions over a loopback gateway and REST captured: each
// preview's buttons name that preview; Confirm on a preview that was replaced, confirmed, refused,
// cancelled or expired answers so privately and changes nothing; a preview for money the member
// does not have is refused without a Confirm button.
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "#src/core/clock.ts";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import {
  buttonPress,
  type DiscordMember,
  discordFixture,
  resolvedUsers,
  type SlashOption,
  slashCommand,
} from "#test/helpers/discord-payloads.ts";
import {
  answersTo,
  BOT_TOKEN,
  embedText,
  type FakeDiscord,
  payloadOf,
  startFakeDiscord,
} from "#test/helpers/fake-discord.ts";

const CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
const lunar: DiscordMember = { id: "336733686529654798", username: "oolunar", globalName: "Lunar" };
const cora: DiscordMember = { id: "80351110224678950", username: "cora", globalName: "Cora" };
const EPHEMERAL = 64;
const USDC = 1_000_000n;

type Buttons = Array<{ components: Array<{ custom_id: string; label: string }> }>;

describe("Discord confirmation buttons", () => {
  let test: TestApp;
  let discord: FakeDiscord;
  let client: Client;
  let front: DiscordFrontEnd;

  beforeAll(async () => {
    test = await createTestApp("pglite", {
      env: { MODERATORS: `discord:${lunar.id}`, FEE_POLICY: "clones" },
    });
    discord = await startFakeDiscord();
    client = createDiscordClient({ apiBase: discord.apiBase, token: BOT_TOKEN });
    front = new DiscordFrontEnd(test.app.dispatcher as unknown as Dispatcher<unknown>, {
      log: silentLogger,
      attachmentTimeoutMs: 5000,
    });
    front.attach(client);
    await client.login(BOT_TOKEN);
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
    await test?.close();
  });

  async function deliver(payload: Record<string, unknown>) {
    discord.dispatch("INTERACTION_CREATE", payload);
    await discord.rest.waitFor((r) => r.path.includes(`/interactions/${payload.id}/`));
    await front.idle();
    return answersTo(discord, payload);
  }

  const text = (value: string): SlashOption => ({ name: "", type: 3, value });
  const slash = (user: DiscordMember, path: string[], options: Record<string, SlashOption>) =>
    slashCommand(
      discordFixture(CAPTURE),
      user,
      path,
      Object.entries(options).map(([name, o]) => ({ ...o, name })),
      resolvedUsers(cora),
    );
  const moneyBy = (verb: "credit" | "debit", amount: string) =>
    deliver(
      slash(lunar, ["admin", verb], {
        user: { name: "", type: 6, value: cora.id },
        amount: text(amount),
        token: text("USDC"),
        reason: text("test"),
      }),
    );

  /** Asks for a funding preview; its Confirm and Cancel custom ids. */
  async function fundPreview(amount: string) {
    const answers = await deliver(
      slash(cora, ["pool", "fund"], { factory: { name: "", type: 4, value: 1 }, amount: text(amount) }),
    );
    const body = payloadOf(answers[1]!);
    expect(embedText(body)).toMatch(/^Fund factory #1\?/);
    const [confirm, cancel] = (body.components as Buttons)[0]!.components;
    expect([confirm!.label, cancel!.label]).toEqual(["Confirm", "Cancel"]);
    return { confirm: confirm!.custom_id, cancel: cancel!.custom_id };
  }

  /** A button press; its REST answers after the acknowledgement. */
  async function press(customId: string) {
    const [ack, ...rest] = await deliver(buttonPress(discordFixture(CAPTURE), cora, customId));
    expect(ack!.body).toEqual({ type: 6 });
    return rest;
  }

  /** A refused press: one private follow-up, the message with the buttons left as it was. */
  async function refusedPress(customId: string): Promise<string> {
    const answers = await press(customId);
    expect(answers.map((r) => r.method)).toEqual(["POST"]);
    expect(payloadOf(answers[0]!).flags).toBe(EPHEMERAL);
    return embedText(payloadOf(answers[0]!));
  }

  async function money() {
    const { identity, funds, factories } = test.app.services;
    const prisma = test.app.db.prisma;
    const user = (await identity.findByPlatformId(prisma, "discord", cora.id))!;
    const balances = await funds.balances(prisma, user.userId);
    return {
      balance: balances.find((b) => b.token === "USDC" && b.purpose === "main")?.balanceAtoms ?? 0n,
      pool: (await factories.view(prisma, 1)).balanceAtoms,
    };
  }

  it("names each preview in its buttons, and Confirm on a replaced one changes nothing", async () => {
    await deliver(slash(cora, ["balance"], {}));
    await moneyBy("credit", "200");
    const created = await deliver(
      slash(cora, ["factory", "create"], {
        name: text("Shop carts"),
        token: text("USDC"),
        bid: text("1"),
        task: text("Implement shopping cart"),
        app: text("Flutter"),
        objectives: text("Open; Implement; Test"),
      }),
    );
    expect(embedText(payloadOf(created[1]!))).toMatch(/#1/);

    const hundred = await fundPreview("100");
    const ten = await fundPreview("10");
    const prisma = test.app.db.prisma;
    for (const [preview, amount] of [
      [hundred, "100"],
      [ten, "10"],
    ] as const) {
      const id = /^cf:([a-z0-9]+)$/.exec(preview.confirm)![1]!;
      expect(preview.cancel).toBe(`cx:${id}`);
      const stored = await prisma.pendingAction.findUniqueOrThrow({ where: { id } });
      expect(stored.options).toMatchObject({ amount });
    }

    expect(await refusedPress(hundred.confirm)).toBe(
      "This preview is no longer open: a newer command replaced it. Nothing was done; run the command again if you still want it.",
    );
    expect(await money()).toEqual({ balance: 200n * USDC, pool: 0n });

    const done = await press(ten.confirm);
    expect(done[0]!.method).toBe("PATCH");
    expect(embedText(payloadOf(done[0]!))).toMatch(/^Factory #1 funded/);
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });

    // The same Confirm again, and Cancel on either preview: no longer open, nothing moves.
    expect(await refusedPress(ten.confirm)).toBe("This preview is no longer open: it was already confirmed.");
    expect(await refusedPress(ten.cancel)).toBe("This preview is no longer open: it was already confirmed.");
    expect(await refusedPress(hundred.cancel)).toMatch(/^This preview is no longer open: a newer command/);
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });

  it("ends a preview whose Confirm was refused: pressing it once the money is there does nothing", async () => {
    const preview = await fundPreview("150");
    await moneyBy("debit", "100");
    expect(await refusedPress(preview.confirm)).toMatch(/^Insufficient funds: 90 USDC available/);
    await moneyBy("credit", "100");
    expect(await refusedPress(preview.confirm)).toBe(
      "This preview is no longer open: its confirmation was refused. Nothing was done; run the command again if you still want it.",
    );
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });

  it("answers Confirm on a cancelled or expired preview, and changes nothing", async () => {
    const cancelled = await fundPreview("5");
    const cancel = await press(cancelled.cancel);
    expect(embedText(payloadOf(cancel[0]!))).toBe("Cancelled. Nothing was changed.");
    expect(await refusedPress(cancelled.confirm)).toMatch(
      /^This preview is no longer open: it was cancelled\./,
    );

    const expired = await fundPreview("5");
    test.clock.advance(16 * MINUTE);
    expect(await refusedPress(expired.confirm)).toMatch(/^This preview has expired\./);
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });

  it("refuses a preview for more than the balance privately, with no Confirm button", async () => {
    const answers = await deliver(
      slash(cora, ["pool", "fund"], { factory: { name: "", type: 4, value: 1 }, amount: text("500") }),
    );
    expect(answers.map((r) => r.method)).toEqual(["POST", "DELETE", "POST"]);
    const body = payloadOf(answers[2]!);
    expect(body.flags).toBe(EPHEMERAL);
    expect(embedText(body)).toBe(
      "Insufficient funds: 190 USDC available, 500 USDC needed. Funding needs 500 USDC; nothing was moved.",
    );
    expect(body.components).toEqual([]);

    // /xp boost is personal: answered in its ephemeral deferral.
    const boost = await deliver(slash(cora, ["xp", "boost"], {}));
    const boostBody = payloadOf(boost[1]!);
    expect(embedText(boostBody)).toMatch(/^An XP boost burns 100 CLONES\. Insufficient funds: 0 CLONES/);
    expect(boostBody.components).toEqual([]);
    expect(await money()).toEqual({ balance: 190n * USDC, pool: 10n * USDC });
  });
});
