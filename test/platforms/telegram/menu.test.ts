// The Telegram command menu for every command in commands/, and replies as Telegram HTML.
import { describe, expect, it } from "vitest";
import { COMMANDS_DIR } from "#src/app.ts";
import { loadCommandModules } from "#src/core/registry.ts";
import { telegramMenuProblems, telegramMenus } from "#src/platforms/telegram/menu.ts";
import { renderReply, TELEGRAM_LIMITS } from "#src/platforms/telegram/render.ts";

describe("the Telegram command menu", () => {
  it("is valid for every command in commands/, per scope", async () => {
    const commands = await loadCommandModules(COMMANDS_DIR);
    const menus = telegramMenus(commands, ["5551234"]);
    expect(telegramMenuProblems(menus)).toEqual([]);
    expect(menus.map((m) => m.scope)).toEqual([
      { type: "default" },
      { type: "all_private_chats" },
      { type: "all_group_chats" },
      { type: "all_chat_administrators" },
      { type: "chat", chat_id: 5551234 },
    ]);
    const names = (i: number) => menus[i]!.commands.map((c) => c.command);
    // Moderator-only commands appear only for group admins and the configured moderators.
    for (const i of [0, 1, 2]) expect(names(i)).not.toContain("admin");
    for (const i of [0, 1, 2]) expect(names(i)).toContain("balance");
    for (const i of [3, 4])
      expect(names(i)).toEqual(expect.arrayContaining(["admin", "audit", "balance", "help"]));
    expect(names(3)).toHaveLength(commands.length);
  });

  it("names what Telegram would refuse", () => {
    const problems = telegramMenuProblems([
      {
        scope: { type: "default" },
        commands: [
          { command: "Bad-Name", description: "x" },
          { command: "ok", description: "" },
          { command: "ok", description: "d".repeat(257) },
        ],
      },
    ]);
    expect(problems).toEqual([
      "menu default: /Bad-Name must be 1-32 characters of lowercase a-z, 0-9 and _ (rename it)",
      "menu default: /ok needs a description of 1-256 characters",
      "menu default: /ok is listed twice",
      "menu default: /ok needs a description of 1-256 characters",
    ]);
  });
});

describe("replies as Telegram messages", () => {
  it("turns the light markup into HTML and escapes everything else", () => {
    const rendered = renderReply({
      title: "Pool <3> & co",
      text: "**bold** and `a<b>` here",
      fields: [{ name: "Total", value: "12 USDC" }],
      page: { current: 1, total: 2 },
      buttons: [{ id: "pg:abcd:2", label: "Next ▶" }],
    });
    expect(rendered.texts).toEqual([
      "<b>Pool &lt;3&gt; &amp; co</b>\n<b>bold</b> and <code>a&lt;b&gt;</code> here\n<b>Total</b>: 12 USDC\nPage 1 of 2",
    ]);
    expect(rendered.keyboard).toEqual({
      inline_keyboard: [[{ text: "Next ▶", callback_data: "pg:abcd:2" }]],
    });
  });

  it("splits long replies at line breaks into messages Telegram accepts, losing nothing", () => {
    const lines = Array.from({ length: 700 }, (_, i) => `line ${i} & <more>`);
    const long = "y".repeat(5000);
    const { texts } = renderReply({ text: [...lines, long].join("\n") });
    expect(texts.length).toBeGreaterThan(2);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.message);
    const unescaped = texts.join("\n").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    // The over-long line was cut into pieces; joined back, everything is there in order.
    expect(unescaped.replace(/\n(?=y)/g, "")).toBe(lines.join("\n") + long);
  });
});
