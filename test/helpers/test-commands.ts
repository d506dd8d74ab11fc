// Commands that exist only in tests, for platform features no real command uses yet: a file upload,
// a picture, a confirmation, a bug, a slow command.
import { createHash } from "node:crypto";
import { command } from "#commands/_kit.ts";

/** A 1x1 transparent PNG. */
export const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

export const UPLOAD_LIMIT_BYTES = 64;

export const uploadCommand = command({
  name: "upload",
  description: "Test: send a small file",
  options: {
    file: { type: "attachment", description: "The file", required: true, maxBytes: UPLOAD_LIMIT_BYTES },
    note: { type: "string", description: "A note", maxLength: 40 },
  },
  async handler(_ctx, args) {
    const data = await args.file.read();
    const digest = createHash("sha256").update(data).digest("hex").slice(0, 12);
    return {
      text: `Received ${args.file.name}: ${data.byteLength} bytes, sha256 ${digest}.`,
      data: { digest },
    };
  },
});

export const pictureCommand = command({
  name: "picture",
  description: "Test: answer with a picture",
  handler: () => ({
    title: "A picture",
    text: "Here it is.",
    image: { png: TINY_PNG, name: "dot.png", alt: "A single transparent dot" },
  }),
});

export const ritualCommand = command({
  name: "ritual",
  description: "Test: something that asks for confirmation first",
  options: {
    times: { type: "integer", description: "How many times", required: true, minValue: 1, maxValue: 9 },
  },
  confirm: (_ctx, args) => ({ text: `Perform the ritual ${args.times} times?`, tone: "warning" }),
  handler: (_ctx, args) => ({ text: `The ritual was performed ${args.times} times.`, tone: "success" }),
});

export const crashCommand = command({
  name: "crash",
  description: "Test: a bug",
  handler: () => {
    throw new Error("boom: secret internals at /srv/forgebot/src/economy.ts:42");
  },
});

export const napCommand = command({
  name: "nap",
  description: "Test: takes its time before answering",
  options: {
    ms: { type: "integer", description: "How long to take", required: true, minValue: 0, maxValue: 5000 },
  },
  async handler(_ctx, args) {
    await new Promise((resolve) => setTimeout(resolve, args.ms));
    return { text: `Woke up after ${args.ms} ms.` };
  },
});

export const TEST_COMMANDS = [uploadCommand, pictureCommand, ritualCommand, crashCommand, napCommand];
