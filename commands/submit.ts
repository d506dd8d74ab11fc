import type { Attachment } from "#src/core/spec.ts";
import { decimalString, formatMoney, formatTime } from "./_format.ts";
import { command } from "./_kit.ts";

// Checked before a file is downloaded (DEMO_MAX_BYTES's default); the parser then applies the
// deployment's DEMO_MAX_BYTES and DEMO_MAX_LOG_BYTES to the whole upload.
const MAX_FILE_BYTES = 50 * 1024 * 1024;

export default command({
  name: "submit",
  description: "Upload a recorded demonstration to a factory and get paid by its quality",
  category: "Factories",
  personal: true,
  options: {
    factory: {
      type: "integer",
      description: "The factory's number (see /bids)",
      required: true,
      minValue: 1,
    },
    file: {
      type: "attachment",
      description: "The recording as one zip, or its meta.json",
      required: true,
      maxBytes: MAX_FILE_BYTES,
    },
    log: { type: "attachment", description: "input_log.jsonl, when not in a zip", maxBytes: MAX_FILE_BYTES },
    video: { type: "attachment", description: "The video, optional", maxBytes: MAX_FILE_BYTES },
  },
  async handler(ctx, args) {
    const { submissions, tokens } = ctx.services;
    const attachments = [args.file, args.log, args.video].filter((a): a is Attachment => a !== undefined);
    const files = [];
    for (const a of attachments) {
      files.push({ name: a.name, bytes: await a.read() });
    }
    const r = await submissions.submit({ actor: ctx.actor, key: ctx.key, factoryId: args.factory, files });
    const token = tokens.get(r.token);
    return {
      title: `Submission #${r.submissionId} queued`,
      text:
        `Your recording for "${r.taskTitle}" (factory #${r.factoryId} "${r.factoryName}") is queued for grading; ` +
        `${formatMoney(r.bidAtoms, token)} is reserved for it until ${formatTime(r.expiresAt)}. You will get the score and payout in a message.\n` +
        `What we saw: ${r.summary}`,
      tone: "success",
      data: {
        submissionId: r.submissionId,
        factoryId: r.factoryId,
        reserved: decimalString(r.bidAtoms, token),
        token: r.token,
        summary: r.summary,
        status: "queued",
      },
    };
  },
});
