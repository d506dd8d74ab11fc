// The checker of Telegram's HTML subset (test/helpers/telegram-html.ts) refuses what the Bot API
// refuses, so a test that passes it proves Telegram would take the message.
import { describe, expect, it } from "vitest";
import { parseTelegramHtml, telegramHtmlProblem } from "#test/helpers/telegram-html.ts";

describe("the Telegram HTML checker", () => {
  it("takes Telegram's tags, nested, with entities, and reads the text and entities as Telegram does", () => {
    const html =
      '<b>Pool &lt;3&gt; &amp; co</b> <i>x <u>y</u></i> <a href="tg://user?id=1">Bo</a> <span class="tg-spoiler">s</span>' +
      ' <tg-spoiler>t</tg-spoiler> <pre><code class="language-ts">a &lt; b</code></pre> <blockquote expandable>q</blockquote>' +
      ' <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &#128512;&#x1F600;&quot;';
    expect(telegramHtmlProblem(html)).toBeUndefined();
    const { text, entities } = parseTelegramHtml("<b>a<code>&lt;b&gt;</code></b>c");
    expect(text).toBe("a<b>c");
    expect(entities).toEqual([
      { tag: "code", start: 1, end: 4 },
      { tag: "b", start: 0, end: 4 },
    ]);
  });

  it.each([
    ["<b>a<code>b</b>c</code>", "</b> closes <code>: tags must nest"],
    ["<b>bold", "<b> is never closed"],
    ["a</i>", "</i> closes nothing"],
    ["1 < 2", "unescaped <"],
    ["1 > 2", "unescaped >"],
    ["Tom & Jerry", "unescaped &"],
    ["&nbsp;", "unescaped &"],
    ["<div>x</div>", "<div> is not a tag Telegram supports"],
    ["<span>x</span>", '<span> must be <span class="tg-spoiler">'],
    ["<a>x</a>", "<a> needs an href"],
    ['<b class="x">x</b>', "<b> does not take the attribute(s) class"],
    ["<code><b>x</b></code>", "<b> inside <code>"],
    ["<pre><i>x</i></pre>", "<i> inside <pre>"],
    ['<code class="language-ts">x</code>', "belongs directly inside <pre>"],
    ['<a href="x"><a href="y">z</a></a>', "<a> inside <a>"],
    ["<blockquote><blockquote>q</blockquote></blockquote>", "<blockquote> inside <blockquote>"],
    ["<b> </b>", "message text is empty"],
    ["x".repeat(4097), "message is too long (4097 > 4096)"],
  ])("refuses %j", (html, problem) => {
    expect(telegramHtmlProblem(html)).toContain(problem);
  });

  it("counts the text after parsing against the limit, not the HTML", () => {
    expect(telegramHtmlProblem("&amp;".repeat(1024), 1024)).toBeUndefined();
    expect(telegramHtmlProblem(`<b>${"y".repeat(1025)}</b>`, 1024)).toContain("too long");
  });
});
