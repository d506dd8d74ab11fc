// A reply's file (a dataset package small enough for the platform) goes out with the message: as
// an attachment on Discord, as a document on Telegram.
import { describe, expect, it } from "vitest";
import type { Reply } from "#src/core/reply.ts";
import { renderReply as renderDiscord } from "#src/platforms/discord/render.ts";
import { renderReply as renderTelegram } from "#src/platforms/telegram/render.ts";

const reply: Reply = {
  title: "Dataset of factory #1",
  text: "Version 1 is attached.",
  file: {
    data: Buffer.from("PK\x05\x06zip bytes"),
    name: "factory-1-dataset-v1.zip",
    description: "Dataset v1",
  },
};

describe("a reply with a file", () => {
  it("attaches it on Discord", () => {
    const [message] = renderDiscord(reply);
    expect(message!.files.map((f) => [f.name, Buffer.from(f.data).toString("latin1")])).toEqual([
      ["factory-1-dataset-v1.zip", "PK\x05\x06zip bytes"],
    ]);
  });

  it("sends it as a document on Telegram, with the text beside it", () => {
    const rendered = renderTelegram(reply);
    expect(rendered.document?.name).toBe("factory-1-dataset-v1.zip");
    expect(Buffer.from(rendered.document!.data).toString("latin1")).toBe("PK\x05\x06zip bytes");
    expect(rendered.texts.join("\n")).toContain("Version 1 is attached.");
  });
});
