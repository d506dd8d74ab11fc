// Replies become embeds that respect Discord's limits however long they are.
import { describe, expect, it } from "vitest";
import type { Reply } from "#src/core/reply.ts";
import { EMBED_LIMITS, embedCharacters, renderReply } from "#src/platforms/discord/render.ts";

function withinLimits(messages: ReturnType<typeof renderReply>) {
  for (const message of messages) {
    expect(message.embeds.length).toBeGreaterThan(0);
    expect(message.embeds.length).toBeLessThanOrEqual(EMBED_LIMITS.embedsPerMessage);
    expect(message.embeds.reduce((s, e) => s + embedCharacters(e), 0)).toBeLessThanOrEqual(
      EMBED_LIMITS.total,
    );
    for (const embed of message.embeds) {
      expect((embed.title ?? "").length).toBeLessThanOrEqual(EMBED_LIMITS.title);
      expect((embed.description ?? "").length).toBeLessThanOrEqual(EMBED_LIMITS.description);
      expect((embed.fields ?? []).length).toBeLessThanOrEqual(EMBED_LIMITS.fields);
      for (const f of embed.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldName);
        expect(f.value.length).toBeLessThanOrEqual(EMBED_LIMITS.fieldValue);
      }
    }
    expect(message.components.length).toBeLessThanOrEqual(EMBED_LIMITS.rows);
  }
}

describe("replies as Discord embeds", () => {
  it("renders a short reply as one embed with its tone's colour, fields and page footer", () => {
    const [message, ...rest] = renderReply({
      title: "Your history — page 2 of 3",
      text: "**bold** and `code` stay Discord markdown",
      fields: [{ name: "Total", value: "12 USDC", inline: true }],
      tone: "success",
      page: { current: 2, total: 3 },
      buttons: [
        { id: "pg:abcd:1", label: "◀ Previous" },
        { id: "pg:abcd:3", label: "Next ▶", style: "primary" },
      ],
    });
    expect(rest).toEqual([]);
    expect(message!.embeds).toEqual([
      {
        color: 0x57f287,
        title: "Your history — page 2 of 3",
        description: "**bold** and `code` stay Discord markdown",
        fields: [{ name: "Total", value: "12 USDC", inline: true }],
        footer: { text: "Page 2 of 3" },
      },
    ]);
    expect(message!.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, custom_id: "pg:abcd:1", label: "◀ Previous", style: 2 },
          { type: 2, custom_id: "pg:abcd:3", label: "Next ▶", style: 1 },
        ],
      },
    ]);
  });

  it("splits a very long reply at line breaks into embeds and messages within every limit, losing nothing", () => {
    const lines = Array.from({ length: 900 }, (_, i) => `${String(i).padStart(4, "0")} ${"x".repeat(40)}`);
    const reply: Reply = {
      title: "T".repeat(300),
      text: lines.join("\n"),
      fields: Array.from({ length: 60 }, (_, i) => ({ name: `field ${i}`, value: "v".repeat(900) })),
      buttons: Array.from({ length: 7 }, (_, i) => ({ id: `b${i}`, label: `Button ${i}` })),
    };
    const messages = renderReply(reply);
    withinLimits(messages);
    expect(messages.length).toBeGreaterThan(1);
    const descriptions = messages.flatMap((m) => m.embeds.map((e) => e.description ?? "")).filter(Boolean);
    expect(descriptions.join("\n")).toBe(lines.join("\n"));
    expect(messages.flatMap((m) => m.embeds.flatMap((e) => e.fields ?? []))).toHaveLength(60);
    expect(messages[0]!.embeds[0]!.title).toHaveLength(EMBED_LIMITS.title);
    // The buttons go on the last message, five to a row.
    expect(messages.slice(0, -1).every((m) => m.components.length === 0)).toBe(true);
    expect(messages.at(-1)!.components.map((r) => r.components.length)).toEqual([5, 2]);
  });

  it("writes over-long fields into the text instead of cutting them", () => {
    const [message] = renderReply({ text: "Intro", fields: [{ name: "Notes", value: "n".repeat(2000) }] });
    expect(message!.embeds[0]!.fields).toBeUndefined();
    expect(message!.embeds[0]!.description).toBe(`Intro\n\n**Notes**\n${"n".repeat(2000)}`);
  });

  it("attaches the picture and shows it in the first embed", () => {
    const [message] = renderReply({
      text: "",
      image: { png: new Uint8Array([1, 2]), name: "chart.png", alt: "A chart" },
    });
    expect(message!.embeds[0]!.image).toEqual({ url: "attachment://chart.png" });
    expect(message!.embeds[0]!.description).toBe("\u200b");
    expect(message!.files).toEqual([
      { name: "chart.png", data: Buffer.from([1, 2]), description: "A chart" },
    ]);
  });

  it("writes moments as Discord timestamps, so each member reads their own time zone", () => {
    const [message] = renderReply({
      text: "Reserved until 2026-11-23 10:50 UTC; **due 2026-11-24 00:00 UTC**; `2026-11-23 10:50 UTC` as typed",
      fields: [{ name: "Since", value: "2026-01-01 00:00 UTC" }],
    });
    const embed = message!.embeds[0]!;
    expect(embed.description).toBe(
      "Reserved until <t:1795431000:R>; **due <t:1795478400:R>**; `2026-11-23 10:50 UTC` as typed",
    );
    expect(embed.fields?.[0]?.value).toBe("<t:1767225600:R>");
  });
});
