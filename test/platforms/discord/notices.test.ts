// Results that arrive later reach the member on Discord: a grade (or a moderator's credit) goes as
// an ephemeral follow-up on the member's latest interaction while its token is valid, with or
// without a bot token; after that by DM when a bot token is set; and when neither works (DMs
// closed, or no bot token) it is kept and /scores shows it first. Signed interactions go through
// the real HTTP endpoint and discord.js; Discord's REST is a loopback that records every call.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "#src/core/clock.ts";
import type { Dispatcher } from "#src/core/dispatch.ts";
import { silentLogger } from "#src/log.ts";
import { createDiscordClient } from "#src/platforms/discord/client.ts";
import { FollowUpRoutes } from "#src/platforms/discord/follow-ups.ts";
import { interactionsEndpoint } from "#src/platforms/discord/http-interactions.ts";
import { DiscordFrontEnd } from "#src/platforms/discord/interactions.ts";
import { discordSender } from "#src/platforms/discord/sender.ts";
import { HttpServer } from "#src/platforms/http-server.ts";
import { FIXTURE_DIR, writeDemo } from "#test/economy/demo-files.ts";
import { type ConsoleHarness, startConsole } from "#test/helpers/console.ts";
import {
  type DiscordMember,
  discordFixture,
  resolvedUsers,
  slashCommand,
  snowflake,
} from "#test/helpers/discord-payloads.ts";
import {
  APPLICATION_ID,
  BOT_TOKEN,
  embedText,
  type FakeDiscord,
  payloadOf,
  startFakeDiscord,
} from "#test/helpers/fake-discord.ts";
import type { CapturedRequest } from "#test/helpers/loopback.ts";

const lunar: DiscordMember = { id: "336733686529654798", username: "oolunar", globalName: "Lunar" };
const bob: DiscordMember = { id: "80351110224678912", username: "bob", globalName: "Bob" };
const SAMPLE = "slash-subcommand-with-options.slash-create";
const EPHEMERAL = 64;
const FACTORY = `/factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart; Ensure smooth transition between selection and checkout; Test functionality thoroughly" ref:task_2`;

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, "base64url").toString("hex") };
}

function signed(privateKey: KeyObject, body: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    "x-signature-ed25519": sign(null, Buffer.from(timestamp + body), privateKey).toString("hex"),
    "x-signature-timestamp": timestamp,
    "content-type": "application/json",
  };
}

/** A follow-up on an interaction: POST /webhooks/<application>/<token>. */
const isFollowUp = (r: CapturedRequest) =>
  r.method === "POST" && new RegExp(`/webhooks/${APPLICATION_ID}/[^/]+$`).test(r.path);
const isDm = (r: CapturedRequest) => r.method === "POST" && /\/channels\/9\d+\/messages$/.test(r.path);

for (const mode of ["HTTP-only (no bot token)", "with a bot token"] as const) {
  const hasBotToken = mode === "with a bot token";
  describe(`notices for a Discord member, ${mode}`, () => {
    const application = keyPair();
    let h: ConsoleHarness;
    let discord: FakeDiscord;
    let client: Client;
    let front: DiscordFrontEnd;
    let server: HttpServer;
    let url: string;

    beforeAll(async () => {
      h = await startConsole("pglite", { moderators: ["mod"], env: { MODERATORS: `discord:${lunar.id}` } });
      discord = await startFakeDiscord();
      client = createDiscordClient({
        apiBase: discord.apiBase,
        ...(hasBotToken ? { token: BOT_TOKEN } : {}),
      });
      const followUps = new FollowUpRoutes(h.clock);
      front = new DiscordFrontEnd(h.app.dispatcher as unknown as Dispatcher<unknown>, {
        log: silentLogger,
        attachmentTimeoutMs: 5000,
        followUps,
      });
      front.attach(client);
      h.app.services.notifier.register(discordSender(client.rest, { followUps, hasBotToken }));
      server = new HttpServer(silentLogger).route(
        "/discord/interactions",
        interactionsEndpoint({ client, front, publicKey: application.publicKeyHex, log: silentLogger }),
      );
      url = `http://127.0.0.1:${await server.listen("127.0.0.1", 0)}/discord/interactions`;
      // A funded factory, made on the console.
      const setup = await h.run(`
        @cora /balance
        @mod /admin credit user:@cora amount:100 token:USDC reason:grant
        @cora ${FACTORY}
        @cora /pool fund factory:1 amount:1
        @cora /confirm
      `);
      expect(setup.map((r) => r.code)).toEqual(["ok", "ok", "ok", "confirmation_required", "ok"]);
    });

    afterAll(async () => {
      await server?.close();
      await client?.destroy();
      await discord?.close();
      await h?.close();
    });

    /** Posts a signed interaction; resolves once it is answered and grading is done. */
    async function interact(payload: Record<string, unknown>) {
      const body = JSON.stringify(payload);
      const mark = discord.rest.requests.length;
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: signed(application.privateKey, body),
      });
      const first = (await response.json()) as Record<string, unknown>;
      await front.idle();
      await h.app.services.submissions.queue.idle();
      return { first, after: discord.rest.since(mark) };
    }

    /** A command's own answer: in the HTTP response (type 4), or edited in after a deferral. */
    const answerOf = (answer: { first: Record<string, unknown>; after: CapturedRequest[] }) =>
      answer.first.type === 4
        ? (answer.first.data as Record<string, unknown>)
        : payloadOf(answer.after.find((r) => r.method === "PATCH")!);

    const fixture = () => discordFixture(SAMPLE);
    const credit = (amount: string) =>
      slashCommand(
        fixture(),
        lunar,
        ["admin", "credit"],
        [
          { name: "user", type: 6, value: bob.id },
          { name: "amount", type: 3, value: amount },
          { name: "token", type: 3, value: "USDC" },
          { name: "reason", type: 3, value: "grant" },
        ],
        resolvedUsers(bob),
      );

    function submit(dir = FIXTURE_DIR, prefix = "") {
      const files = ["meta.json", "input_log.jsonl"].map((name) => {
        const data = readFileSync(join(dir, name));
        discord.files.set(`${prefix}${name}`, data);
        return { id: snowflake(), name, size: data.length, served: `${prefix}${name}` };
      });
      return slashCommand(
        fixture(),
        bob,
        ["submit"],
        [
          { name: "factory", type: 4, value: 1 },
          { name: "file", type: 11, value: files[0]!.id },
          { name: "log", type: 11, value: files[1]!.id },
        ],
        {
          attachments: Object.fromEntries(
            files.map((f) => [
              f.id,
              {
                id: f.id,
                filename: f.name,
                size: f.size,
                url: `${discord.rest.url}/files/${f.served}`,
                proxy_url: `${discord.rest.url}/files/${f.served}`,
              },
            ]),
          ),
        },
      );
    }

    it("delivers the grade as an ephemeral follow-up on the /submit interaction, after its own answer", async () => {
      const payload = submit();
      const { first, after } = await interact(payload);
      // The answer is the HTTP response itself (or, on a machine slow enough to miss the budget,
      // deferred there and edited in); after the two downloads of the attachments, the grade
      // follows up.
      expect(first).toMatchObject({ data: { flags: EPHEMERAL } });
      expect(embedText(answerOf({ first, after }))).toContain("queued for grading");
      expect(after.filter((r) => r.method === "GET").map((r) => r.path)).toEqual([
        "/files/meta.json",
        "/files/input_log.jsonl",
      ]);
      const [followUp, ...more] = after.filter(
        (r) => r.method !== "GET" && !(first.type === 5 && r.method === "PATCH"),
      );
      expect(isFollowUp(followUp!)).toBe(true);
      expect(followUp!.path).toContain(`/${String(payload.token)}`);
      // A follow-up is the interaction's webhook: no bot token is sent (nor needed).
      expect(followUp!.headers.authorization).toBeUndefined();
      const body = payloadOf(followUp!);
      expect(body.flags).toBe(EPHEMERAL);
      const row = await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } });
      expect(row.status).toBe("settled");
      expect(embedText(body)).toContain(`scored ${row.score}/100`);
      expect(more).toEqual([]);
      expect(await h.app.db.prisma.memberNotice.count()).toBe(0);
    });

    it("tells the member of a moderator's credit on their latest interaction while it is valid", async () => {
      h.clock.advance(10 * MINUTE);
      const { after } = await interact(credit("3"));
      const toBob = after
        .filter(isFollowUp)
        .find((r) => embedText(payloadOf(r)).includes("A moderator added 3 USDC"));
      expect(toBob).toBeDefined();
      expect(payloadOf(toBob!).flags).toBe(EPHEMERAL);
      expect(after.filter(isDm)).toEqual([]);
    });

    it(
      hasBotToken
        ? "sends a grade that took longer than the interaction's 15 minutes by DM"
        : "keeps a grade that took longer than the interaction's 15 minutes for /scores",
      async () => {
        // An external grading agent that takes 16 minutes: the /submit interaction's token is gone.
        const { submissions } = h.app.services;
        const agent = submissions.grader!;
        submissions.use({
          grader: {
            ...agent,
            grade: async (input) => {
              h.clock.advance(16 * MINUTE);
              return agent.grade(input);
            },
          },
        });
        try {
          const second = writeDemo(`slow-${hasBotToken}`, { id: `slow-${hasBotToken}` });
          const dir = /^file:file:(.+)\/meta\.json /.exec(second)![1]!;
          const { after } = await interact(submit(dir, `slow-${hasBotToken}-`));
          const row = await h.app.db.prisma.submission.findFirstOrThrow({ orderBy: { id: "desc" } });
          expect(row.status).toBe("settled");
          expect(after.filter(isFollowUp)).toEqual([]);
          const kept = await h.app.db.prisma.memberNotice.findMany({ where: { seenAt: null } });
          if (hasBotToken) {
            const dms = after.filter(isDm);
            expect(dms).toHaveLength(1);
            expect(embedText(payloadOf(dms[0]!))).toContain(`scored ${row.score}/100`);
            expect(kept).toEqual([]);
          } else {
            expect(kept.map((n) => n.text)).toEqual([expect.stringContaining(`scored ${row.score}/100`)]);
            const scores = await interact(slashCommand(fixture(), bob, ["scores"]));
            expect(embedText(answerOf(scores))).toContain(`scored ${row.score}/100`);
          }
        } finally {
          submissions.use({ grader: agent });
        }
      },
    );

    if (hasBotToken) {
      it("sends a DM once the interaction's 15 minutes are over", async () => {
        h.clock.advance(15 * MINUTE);
        const { after } = await interact(credit("4"));
        const dms = after.filter(isDm);
        expect(dms).toHaveLength(1);
        expect(embedText(payloadOf(dms[0]!))).toContain(
          "A moderator added 4 USDC to your balance (reason: grant)",
        );
        expect(await h.app.db.prisma.memberNotice.count()).toBe(0);
      });
    }

    it(
      hasBotToken
        ? "keeps the notice for /scores when the member's DMs are closed, and shows it there once"
        : "keeps the notice for /scores when the interaction has expired (no DM without a bot token)",
      async () => {
        discord.closedDms.add(bob.id);
        h.clock.advance(15 * MINUTE);
        const { after } = await interact(credit("2"));
        if (hasBotToken) expect(after.filter(isDm).length).toBe(1);
        expect(
          after.filter((r) => isFollowUp(r) && embedText(payloadOf(r)).includes("A moderator added")),
        ).toEqual([]);
        expect(await h.app.db.prisma.memberNotice.count({ where: { seenAt: null } })).toBe(1);

        const scores = await interact(slashCommand(fixture(), bob, ["scores"]));
        const text = embedText(answerOf(scores));
        expect(text).toContain("**Not seen yet** (a message we could not deliver):");
        expect(text).toContain("A moderator added 2 USDC to your balance (reason: grant)");
        // The unseen notice comes before the list of submissions.
        expect(text.indexOf("A moderator added")).toBeLessThan(text.indexOf("#1 "));
        const again = await interact(slashCommand(fixture(), bob, ["scores"]));
        expect(embedText(answerOf(again))).not.toContain("A moderator added");
        discord.closedDms.delete(bob.id);
      },
    );
  });
}
