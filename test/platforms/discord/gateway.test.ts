// Raw interactions travel the real way: a loopback gateway sends INTERACTION_CREATE to a logged-in
// discord.js client; its REST calls (deferrals, edits, follow-ups) land on a loopback REST API.
// Each test checks what the member would see.
import { createHash } from "node:crypto";
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { CommandIds } from "#src/platforms/discord/command-ids.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import {
  autocomplete,
  buttonPress,
  type DiscordMember,
  discordFixture,
  resolvedUsers,
  slashCommand,
  snowflake,
} from "#test/helpers/discord-payloads.ts";
import {
  answersTo,
  BOT_TOKEN,
  embedText,
  type FakeDiscord,
  payloadOf,
  startFakeDiscord,
} from "#test/helpers/fake-discord.ts";
import { TEST_COMMANDS, TINY_PNG } from "#test/helpers/test-commands.ts";

const REAL_CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
const SUBCOMMAND_SAMPLE = "slash-subcommand-with-options.slash-create";
const AUTOCOMPLETE_SAMPLE = "autocomplete-subcommand-focused.slash-create";

const lunar: DiscordMember = { id: "336733686529654798", username: "oolunar", globalName: "Lunar" };
const bob: DiscordMember = { id: "80351110224678912", username: "bob", globalName: "Bob" };
const carol: DiscordMember = { id: "80351110224678913", username: "carol" };

const EPHEMERAL = 64;

describe("Discord over the gateway (discord.js client, loopback gateway and REST)", () => {
  let test: TestApp;
  let discord: FakeDiscord;
  let client: Client;
  let front: DiscordFrontEnd;

  beforeAll(async () => {
    test = await createTestApp("pglite", {
      env: { MODERATORS: `discord:${lunar.id}` },
      extraCommands: TEST_COMMANDS,
    });
    discord = await startFakeDiscord();
    client = createDiscordClient({ apiBase: discord.apiBase, token: BOT_TOKEN });
    const leaves = new Set(test.app.dispatcher.commands.leaves().map((l) => l.path.join(" ")));
    front = new DiscordFrontEnd(test.app.dispatcher as unknown as Dispatcher<unknown>, {
      log: silentLogger,
      attachmentTimeoutMs: 5000,
      commandIds: new CommandIds((path) => leaves.has(path)),
    });
    front.attach(client);
    await client.login(BOT_TOKEN);
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
    await test?.close();
  });

  /** Sends `payload` over the gateway; resolves with the REST calls that answered it. */
  async function deliver(payload: Record<string, unknown>) {
    discord.dispatch("INTERACTION_CREATE", payload);
    await discord.rest.waitFor((r) => r.path.includes(`/interactions/${payload.id}/`));
    await front.idle();
    return answersTo(discord, payload);
  }

  const credit = (by: DiscordMember, to: DiscordMember, amount: string) =>
    slashCommand(
      discordFixture(SUBCOMMAND_SAMPLE),
      by,
      ["admin", "credit"],
      [
        { name: "user", type: 6, value: to.id },
        { name: "amount", type: 3, value: amount },
        { name: "token", type: 3, value: "USDC" },
        { name: "reason", type: 3, value: "grant" },
      ],
      resolvedUsers(to),
    );

  it("answers the real captured payload (/enum, a command this bot lacks) privately with the error", async () => {
    const payload = discordFixture(REAL_CAPTURE);
    const [ack, edit, ...more] = await deliver(payload);
    expect(ack!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(edit!.method).toBe("PATCH");
    expect(embedText(payloadOf(edit!))).toBe("There is no command /enum. Type /help to see the commands.");
    expect(more).toEqual([]);
  });

  it("runs a subcommand with user, amount and token options (the slash-create sample's shape)", async () => {
    const payload = credit(lunar, bob, "1,000.5");
    const [ack, edit] = await deliver(payload);
    // The member's balance is in the answer: private from the start, then the answer in place.
    expect(ack!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(edit!.path).toMatch(/\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
    const body = payloadOf(edit!);
    expect(embedText(body)).toBe(
      "Credited 1,000.5 USDC to Bob (reason: grant). Bob's balance is now 1,000.5 USDC.",
    );
    expect(body.allowed_mentions).toEqual({ parse: [] });

    const balance = slashCommand(discordFixture(REAL_CAPTURE), bob, ["balance"]);
    const [balanceAck, balanceEdit] = await deliver(balance);
    expect(balanceAck!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(embedText(payloadOf(balanceEdit!))).toBe("Your balances\n1,000.5 USDC");
  });

  it("answers a redelivered interaction once, with one ledger effect", async () => {
    const payload = credit(lunar, carol, "5");
    discord.dispatch("INTERACTION_CREATE", payload);
    const answers = await deliver(payload);
    expect(answers.filter((r) => r.path.endsWith("/callback"))).toHaveLength(1);
    const balance = await deliver(slashCommand(discordFixture(REAL_CAPTURE), carol, ["balance"]));
    expect(embedText(payloadOf(balance[1]!))).toBe("Your balances\n5 USDC");
  });

  it("keeps refusals private: a public deferral is replaced by an ephemeral follow-up", async () => {
    const board = slashCommand(
      discordFixture(SUBCOMMAND_SAMPLE),
      carol,
      ["leaderboard", "farmers"],
      [{ name: "token", type: 3, value: "NOPE" }],
    );
    const answers = await deliver(board);
    expect(answers[0]!.body).toEqual({ type: 5, data: { flags: 0 } });
    expect(answers.map((r) => r.method)).toEqual(["POST", "DELETE", "POST"]);
    const followUp = payloadOf(answers[2]!);
    expect(followUp.flags).toBe(EPHEMERAL);
    expect(embedText(followUp)).toMatch(/NOPE/);
  });

  it("answers a member's /admin credit privately with the refusal", async () => {
    const answers = await deliver(credit(carol, bob, "1"));
    expect(answers[0]!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(answers.map((r) => r.method)).toEqual(["POST", "PATCH"]);
    expect(embedText(payloadOf(answers[1]!))).toBe("Only moderators can use /admin credit.");
  });

  it("answers /help privately and short, mentioning the commands whose ids it has seen", async () => {
    const balance = slashCommand(discordFixture(REAL_CAPTURE), carol, ["balance"]);
    await deliver(balance);
    const balanceId = (balance.data as { id: string }).id;
    const help = slashCommand(discordFixture(REAL_CAPTURE), carol, ["help"]);
    const helpId = (help.data as { id: string }).id;
    const [ack, edit, ...more] = await deliver(help);
    expect(ack!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(more).toEqual([]);
    const text = embedText(payloadOf(edit!));
    expect(text.split("\n").length).toBeLessThanOrEqual(12);
    // A clickable mention where the id is known, the name where it is not yet.
    expect(text).toContain(`</balance:${balanceId}>`);
    expect(text).toContain("`/history`");
    expect(text).not.toContain("Moderators");
    expect(text).toContain(
      `</help:${helpId}> with \`command:\` and a name explains one, e.g. command:submit.`,
    );

    const detail = await deliver(
      slashCommand(
        discordFixture(REAL_CAPTURE),
        carol,
        ["help"],
        [{ name: "command", type: 3, value: "balance" }],
      ),
    );
    expect(detail[0]!.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(embedText(payloadOf(detail[1]!)).startsWith(`Help: /balance\n**</balance:${balanceId}> `)).toBe(
      true,
    );
  });

  it("suggests tokens for a focused option (the slash-create autocomplete sample's shape)", async () => {
    const payload = autocomplete(
      discordFixture(AUTOCOMPLETE_SAMPLE),
      lunar,
      ["admin", "credit"],
      [
        { name: "amount", type: 3, value: "5" },
        { name: "token", type: 3, value: "us", focused: true },
      ],
    );
    const [answer, ...more] = await deliver(payload);
    expect(answer!.body).toEqual({ type: 8, data: { choices: [{ name: "USDC", value: "USDC" }] } });
    expect(more).toEqual([]);
  });

  it("maps Confirm and Cancel buttons to the dispatcher, and only for the member who asked", async () => {
    const fixture = discordFixture(REAL_CAPTURE);
    const preview = await deliver(
      slashCommand(fixture, bob, ["ritual"], [{ name: "times", type: 4, value: 3 }]),
    );
    const previewBody = payloadOf(preview[1]!);
    expect(embedText(previewBody)).toBe("Perform the ritual 3 times?");
    const buttons = (
      previewBody.components as Array<{ components: Array<{ custom_id: string; label: string }> }>
    )[0]!.components;
    expect(buttons.map((b) => b.label)).toEqual(["Confirm", "Cancel"]);
    const confirm = buttons[0]!.custom_id;
    expect(confirm).toMatch(/^cf:/);

    const stranger = await deliver(buttonPress(fixture, carol, confirm));
    expect(stranger[0]!.body).toEqual({ type: 6 });
    expect(payloadOf(stranger[1]!).flags).toBe(EPHEMERAL);
    expect(embedText(payloadOf(stranger[1]!))).toMatch(/belongs to someone else's command/);

    const pressed = await deliver(buttonPress(fixture, bob, confirm));
    expect(pressed[0]!.body).toEqual({ type: 6 });
    expect(pressed[1]!.method).toBe("PATCH");
    const done = payloadOf(pressed[1]!);
    expect(embedText(done)).toBe("The ritual was performed 3 times.");
    expect(done.components).toEqual([]);

    const again = await deliver(buttonPress(fixture, bob, buttons[1]!.custom_id));
    expect(embedText(payloadOf(again[1]!))).toBe("This preview is no longer open: it was already confirmed.");
  });

  it("downloads an attachment within its limit, and refuses one over it without downloading", async () => {
    const fixture = discordFixture(REAL_CAPTURE);
    const upload = (name: string, size: number) => {
      const id = snowflake();
      return slashCommand(fixture, bob, ["upload"], [{ name: "file", type: 11, value: id }], {
        attachments: {
          [id]: {
            id,
            filename: name,
            size,
            url: `${discord.rest.url}/files/${name}`,
            proxy_url: `${discord.rest.url}/files/${name}`,
            content_type: "application/zip",
          },
        },
      });
    };
    const small = Buffer.from("demo!");
    discord.files.set("demo.zip", small);
    const ok = await deliver(upload("demo.zip", small.length));
    const digest = createHash("sha256").update(small).digest("hex").slice(0, 12);
    expect(embedText(payloadOf(ok[1]!))).toBe(`Received demo.zip: 5 bytes, sha256 ${digest}.`);

    const before = discord.rest.requests.filter((r) => r.path === "/files/big.zip").length;
    discord.files.set("big.zip", Buffer.alloc(100));
    const refused = await deliver(upload("big.zip", 100));
    expect(embedText(payloadOf(refused.at(-1)!))).toBe(
      "file: big.zip is 100 bytes; the limit is 64 bytes. Send a smaller file.",
    );
    expect(discord.rest.requests.filter((r) => r.path === "/files/big.zip").length).toBe(before);

    // A size claim that lies is caught while reading.
    discord.files.set("liar.zip", Buffer.alloc(60));
    const lied = await deliver(upload("liar.zip", 10));
    expect(embedText(payloadOf(lied.at(-1)!))).toBe("liar.zip is larger than 10 bytes. Send a smaller file.");
  });

  it("sends a reply's picture as an attachment shown in the embed", async () => {
    const answers = await deliver(slashCommand(discordFixture(REAL_CAPTURE), bob, ["picture"]));
    const edit = answers[1]!;
    expect(edit.files["files[0]"]!.data.equals(TINY_PNG)).toBe(true);
    expect(edit.files["files[0]"]!.name).toBe("dot.png");
    const body = payloadOf(edit);
    const embed = (body.embeds as Array<{ image?: { url: string }; title?: string }>)[0]!;
    expect(embed.title).toBe("A picture");
    expect(embed.image).toEqual({ url: "attachment://dot.png" });
    expect(body.attachments).toEqual([{ id: "0", description: "A single transparent dot" }]);
  });

  it("shows a bug as a short message with an error id, never the error itself", async () => {
    const answers = await deliver(slashCommand(discordFixture(REAL_CAPTURE), bob, ["crash"]));
    const text = embedText(payloadOf(answers.at(-1)!));
    expect(text).toMatch(
      /^Something went wrong on our side\. If it keeps happening, tell a moderator the error id [0-9a-f]{8}\.$/,
    );
    expect(JSON.stringify(answers.map((r) => r.body))).not.toMatch(/boom|economy\.ts|at /);
  });
});
