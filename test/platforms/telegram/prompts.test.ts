// Telegram's dead ends, walked as a member would through the real grammY bot and a loopback Bot
// API: /submit without a file asks for it in Telegram's terms, and the document sent in reply is
// taken (with "sending a file…" shown meanwhile), queued, graded and the grade told; text where a
// file is awaited is refused with what to do, the question staying open; an abandoned question
// does not turn later chat into an option; /cancel ends it; in a group, commands of other bots
// are left alone.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { MINUTE } from "#src/core/clock.ts";
import { telegramSender } from "#src/platforms/telegram/sender.ts";
import { FIXTURE_DIR } from "#test/economy/demo-files.ts";
import { type ConsoleHarness, startConsole } from "#test/helpers/console.ts";
import { BOT, type FakeTelegram, methodOf, startFakeTelegram } from "#test/helpers/fake-telegram.ts";
import type { CapturedRequest } from "#test/helpers/loopback.ts";
import { startTestBot } from "#test/helpers/telegram-bot.ts";
import { GROUP, type Member, PRIVATE, textMessage, updateId } from "#test/helpers/telegram-updates.ts";

const fay: Member = { id: 218485601, first_name: "Fay", username: "fay" };
const gus: Member = { id: 218485602, first_name: "Gus", username: "gus" };
const mod: Member = { id: 5964236329, first_name: "Moderator", username: "tgmod" };
const FACTORY = `/factory create name:Carts token:USDC bid:0.2 task:"Implement shopping cart" app:"Flutter E-Commerce" objectives:"Open Flutter E-Commerce project in your IDE; Implement state management for shopping cart; Ensure smooth transition between selection and checkout; Test functionality thoroughly" ref:task_2`;

/** The recording as one zip, as a farmer would send it. */
function recordingZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const name of ["meta.json", "input_log.jsonl"])
    zip.addBuffer(readFileSync(join(FIXTURE_DIR, name)), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

let nextMessage = 90_000;

/** A member's message replying to the bot's message `to` (as Telegram sends a force_reply answer). */
function replyTo(
  from: Member,
  to: CapturedRequest,
  content: { text: string } | { document: { file_id: string; file_name: string; file_size: number } },
): Update {
  const chat = PRIVATE(from);
  return {
    update_id: updateId(),
    message: {
      message_id: nextMessage++,
      date: 1_767_225_600,
      chat,
      from: { ...from, is_bot: false },
      reply_to_message: {
        message_id: 1,
        date: 1_767_225_600,
        chat,
        from: { ...BOT, is_bot: true },
        text: String(to.body!.text),
      },
      ...("text" in content
        ? { text: content.text }
        : {
            document: {
              ...content.document,
              file_unique_id: `${content.document.file_id}-u`,
              mime_type: "application/zip",
            },
          }),
    },
  } as Update;
}

describe("Telegram prompts and groups (grammY, loopback Bot API)", () => {
  let h: ConsoleHarness;
  let telegram: FakeTelegram;
  let bot: Bot;

  beforeAll(async () => {
    h = await startConsole("pglite", { moderators: ["mod"], env: { MODERATORS: `telegram:${mod.id}` } });
    telegram = await startFakeTelegram();
    bot = await startTestBot({ app: h.app, clock: h.clock, close: h.close }, telegram);
    h.app.services.notifier.register(telegramSender(bot.api));
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
    await telegram?.close();
    await h?.close();
  });

  async function send(update: Update): Promise<CapturedRequest[]> {
    const mark = telegram.api.requests.length;
    await bot.handleUpdate(update);
    return telegram.api.since(mark).filter((c) => methodOf(c) !== "getMe");
  }

  it("/submit factory:1 without a file asks for it; the document sent in reply is queued, graded and told", async () => {
    const [question, ...more] = await send(textMessage(fay, "/submit factory:1"));
    expect(more).toEqual([]);
    const text = String(question!.body!.text);
    expect(text).toBe(
      "<b>/submit</b> needs the <b>file</b> (The recording as one zip, or its meta.json).\n\n" +
        "Send it as a file (📎 → File) in reply to this message, or send /cancel.",
    );
    // Telegram's way, not the console's: no name:value syntax, no file:PATH.
    expect(text).not.toMatch(/file:|factory:/);
    expect(question!.body!.reply_markup).toMatchObject({ force_reply: true, selective: true });

    // Text where a file is awaited: told what to do, and the question stays open.
    const [wrong, ...nothingElse] = await send(replyTo(fay, question!, { text: "here it is" }));
    expect(nothingElse).toEqual([]);
    expect(wrong!.body!.text).toBe(
      "/submit is waiting for the file as a file: attach it (📎 → File) in reply to my question, or send /cancel.",
    );

    const zip = await recordingZip();
    telegram.files.set("zip-1", { path: "documents/file_7.zip", data: zip });
    const mark = telegram.api.requests.length;
    await send(
      replyTo(fay, question!, {
        document: { file_id: "zip-1", file_name: "demo.zip", file_size: zip.length },
      }),
    );
    await h.app.services.submissions.queue.idle();
    const calls = telegram.api.since(mark);
    // Not "Commands start with a slash": the file answers the question; then the grade is told.
    expect(calls.map(methodOf)).toEqual([
      "sendChatAction",
      "getFile",
      "file_7.zip",
      "sendMessage",
      "sendMessage",
    ]);
    expect(calls[0]!.body).toMatchObject({ chat_id: fay.id, action: "upload_document" });
    expect(String(calls[3]!.body!.text)).toMatch(/^<b>Submission #1 queued<\/b>\nYour recording for/);
    const row = await h.app.db.prisma.submission.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.status).toBe("settled");
    expect(Number(calls[4]!.body!.chat_id)).toBe(fay.id);
    expect(String(calls[4]!.body!.text)).toContain(`scored ${row.score}/100`);
  });

  it("ends a question on /cancel, or when another command comes, so later text is chat again", async () => {
    const [question] = await send(textMessage(gus, "/bid"));
    expect(String(question!.body!.text)).toContain("or send /cancel");
    const [cancelled] = await send(textMessage(gus, "/cancel"));
    expect(cancelled!.body!.text).toBe("Cancelled /bid: nothing was done.");
    const [hint] = await send(textMessage(gus, "0.5"));
    expect(hint!.body!.text).toBe("Commands start with a slash: type /help to see them.");

    await send(textMessage(gus, "/bid"));
    await send(textMessage(gus, "/balance"));
    const [afterOther] = await send(textMessage(gus, "0.5"));
    expect(afterOther!.body!.text).toBe("Commands start with a slash: type /help to see them.");
    const [nothing] = await send(textMessage(gus, "/cancel"));
    expect(nothing!.body!.text).toBe("There is no question of mine waiting for an answer.");
  });

  it("does not read chat long after an unanswered question as its answer, unless it replies to it", async () => {
    const [question] = await send(textMessage(gus, "/bid"));
    h.clock.advance(3 * MINUTE);
    const [hint] = await send(textMessage(gus, "hello everyone"));
    expect(hint!.body!.text).toBe("Commands start with a slash: type /help to see them.");
    // A reply to the question still answers it (within the question's lifetime).
    const [answered] = await send(replyTo(gus, question!, { text: "soon" }));
    expect(String(answered!.body!.text)).not.toBe("Commands start with a slash: type /help to see them.");
    await send(textMessage(gus, "/cancel"));
  });

  it("in a group, ignores commands of other bots and those addressed to another bot", async () => {
    for (const text of ["/mute @bob 1h", "/ban@group_help_bot @bob", "/balance@otherbot", "/mute"])
      expect(await send(textMessage(gus, text, GROUP))).toEqual([]);
    // Addressed to us, an unknown command is answered (with what to type instead).
    const [answer] = await send(textMessage(gus, "/mute@forge_test_bot @bob", GROUP));
    expect(String(answer!.body!.text)).toContain("There is no command /mute");
  });

  it("in a group, answers /admin credit in the moderator's private chat, with no balance in the group", async () => {
    await send(textMessage(gus, "/balance"));
    const calls = await send(
      textMessage(mod, "/admin credit user:@gus amount:5 token:USDC reason:prize", GROUP),
    );
    const [privately, pointer] = calls.filter(
      (c) => methodOf(c) === "sendMessage" && Number(c.body!.chat_id) !== gus.id,
    );
    expect(privately!.body!.chat_id).toBe(mod.id);
    expect(String(privately!.body!.text)).toContain("Gus's balance is now 5 USDC");
    expect(pointer!.body!.chat_id).toBe(GROUP.id);
    expect(String(pointer!.body!.text)).toContain("I sent you the answer in our private chat");
    expect(String(pointer!.body!.text)).not.toMatch(/USDC|balance/);
    // And Gus is told, privately.
    const told = calls.find((c) => Number(c.body?.chat_id) === gus.id);
    expect(String(told!.body!.text)).toContain("A moderator added 5 USDC to your balance (reason: prize)");
  });

  it("/help speaks Telegram: plain /commands (links there), /help submit, files attached", async () => {
    const [list] = await send(textMessage(gus, "/help"));
    const text = String(list!.body!.text);
    expect(text.split("\n").length).toBeLessThanOrEqual(12);
    expect(text).toContain("<b>Money</b>: /balance /deposit /history /wallet /withdraw");
    expect(text).toContain("Send /help and a command's name to see what it does, e.g. /help submit.");
    expect(text).not.toMatch(/<code>|command:/);
    const [detail] = await send(textMessage(gus, "/help submit"));
    expect(String(detail!.body!.text)).toMatch(
      /^<b>Help: \/submit<\/b>\n<b>\/submit factory:1 \(attach the file\) \[\(attach the log\)\]/,
    );
  });

  it("credits a member who never used the bot when the command replies to their message", async () => {
    const newcomer = { id: 218485699, first_name: "Nia", username: "nia" };
    const typed = await send(textMessage(mod, "/admin credit user:@nia amount:1 token:USDC reason:hi"));
    expect(String(typed[0]!.body!.text)).toContain("Send the command as a reply to one of their messages");
    const update = textMessage(mod, "/admin credit amount:1 token:USDC reason:hi", GROUP, {
      reply_to_message: {
        message_id: 4242,
        date: 1_767_225_600,
        chat: GROUP,
        from: { ...newcomer, is_bot: false },
        text: "gm",
      },
    });
    const calls = await send(update);
    const privately = calls.find((c) => c.body?.chat_id === mod.id)!;
    expect(String(privately.body!.text)).toContain("Credited 1 USDC to Nia");
    const told = calls.find((c) => Number(c.body?.chat_id) === newcomer.id)!;
    expect(String(told.body!.text)).toContain("A moderator added 1 USDC to your balance (reason: hi)");
  });
});
