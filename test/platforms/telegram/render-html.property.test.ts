// Replies carrying whatever members typed (names, titles, reasons with **, backticks, <, &, _,
// unicode) render as HTML Telegram accepts, in every shape a reply takes: messages, a photo's
// caption, a guided question. The member's text shows as written, formatted only where the
// command put it in bold or code.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { literal, markupToPlain } from "#src/core/markup.ts";
import type { Reply } from "#src/core/reply.ts";
import { markupToHtml } from "#src/platforms/telegram/markup-html.ts";
import { renderReply, TELEGRAM_LIMITS } from "#src/platforms/telegram/render.ts";
import { assertWellFormedTelegramHtml, parseTelegramHtml } from "#test/helpers/telegram-html.ts";
import { userText } from "#test/helpers/user-text.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

/** The (tag, text) of every entity of the parsed messages, in order of their end. */
function entitiesOf(texts: string[]): Array<[string, string]> {
  return texts.flatMap((html) => {
    const { text, entities } = parseTelegramHtml(html);
    return entities.map((e): [string, string] => [e.tag, text.slice(e.start, e.end)]);
  });
}

describe("Telegram HTML of replies holding members' text", () => {
  it("is well formed and shows each text as written, bold or code only where the command put it", () => {
    fc.assert(
      fc.property(
        fc.record({
          name: userText(),
          task: userText(),
          app: userText(),
          code: userText(),
          reason: userText(),
        }),
        fc.boolean(),
        (typed, withImage) => {
          // Shaped like /factory list and /factory view: a title, markup lines and a field.
          const reply: Reply = {
            title: `Factory #1: ${typed.name}`,
            text: [
              `#1 **${literal(typed.name)}** — bid 0.2 USDC, 3 demonstrations funded, live`,
              `• task_1: **${literal(typed.task)}** in ${literal(typed.app)} — \`${literal(typed.code)}\``,
            ].join("\n"),
            fields: [{ name: typed.app, value: `(reason: ${literal(typed.reason)})` }],
            ...(withImage ? { image: { png: PNG, name: "card.png", alt: `Card of ${typed.name}` } } : {}),
          };
          const rendered = renderReply(reply);
          const shown = rendered.texts.map((html) => assertWellFormedTelegramHtml(html));
          if (rendered.photo?.caption)
            shown.push(assertWellFormedTelegramHtml(rendered.photo.caption, TELEGRAM_LIMITS.caption));
          const all = shown.join("\n");
          expect(all).toContain(`Factory #1: ${typed.name}\n#1 ${typed.name} — bid 0.2 USDC`);
          expect(all).toContain(`• task_1: ${typed.task} in ${typed.app} — ${typed.code}`);
          expect(all).toContain(`${typed.app}: (reason: ${typed.reason})`);
          const messages = rendered.photo?.caption ? [rendered.photo.caption] : rendered.texts;
          expect(entitiesOf(messages)).toEqual([
            ["b", `Factory #1: ${typed.name}`],
            ["b", typed.name],
            ["b", typed.task],
            ["code", typed.code],
            ["b", typed.app],
          ]);
          // A guided question shows the reply's text above its prompt.
          const question = assertWellFormedTelegramHtml(`${markupToHtml(reply.text)}\n\nChoose one:`);
          expect(question).toContain(`#1 ${typed.name} — bid`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is well formed for any markup at all, even markers a command forgot to escape", () => {
    // Lines dense in markers, so that bold and code spans overlap (**a`b**c`) as often as not.
    const markerDense = fc
      .array(fc.constantFrom("**", "`", "\\", "a", " ", "<", "&", "_"), { maxLength: 24 })
      .map((pieces) => pieces.join(""));
    fc.assert(
      fc.property(fc.array(fc.oneof(markerDense, userText()), { minLength: 1, maxLength: 8 }), (lines) => {
        const text = `Q: ${lines.join("\n")}`;
        const { texts } = renderReply({ title: lines[0], text });
        for (const html of texts) assertWellFormedTelegramHtml(html);
        expect(assertWellFormedTelegramHtml(markupToHtml(text))).toBe(markupToPlain(text));
      }),
      { numRuns: 300 },
    );
  });

  it("cuts long replies into messages Telegram accepts, however much of the text must be escaped", () => {
    fc.assert(
      fc.property(
        fc.array(userText(40), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        (names, repeat) => {
          // Long lines (every character escaped, bold toggling) force cuts inside a line.
          const lines = names.map((name, i) => `#${i} **${literal(name.repeat(repeat * 20))}** — ok`);
          const text = lines.join("\n");
          const { texts } = renderReply({ title: "Factories", text });
          const shown = texts.map((html) => {
            expect(html.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.message);
            return assertWellFormedTelegramHtml(html);
          });
          // Joined back (a cut adds only a line break), nothing is lost or added.
          expect(shown.join("\n").replace(/\n/g, "")).toBe(
            `Factories${markupToPlain(text)}`.replace(/\n/g, ""),
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
