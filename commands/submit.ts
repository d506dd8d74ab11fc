import { DEMO_UPLOAD_CEILING_BYTES } from "#src/config.ts";
import { literal } from "#src/core/markup.ts";
import type { Attachment } from "#src/core/spec.ts";
import type { SubmissionStatus } from "#src/economy/pools/statuses.ts";
import { tooLarge } from "#src/grading/zip.ts";
import { decimalString, formatMoney, formatTime } from "./_format.ts";
import { command, requestOf } from "./_kit.ts";
import { suggestFactories } from "./_suggest.ts";

// The option's own limit is the ceiling any deployment may configure; the handler checks the
// deployment's DEMO_MAX_BYTES against the sizes the platform reports before downloading anything,
// and the parser applies DEMO_MAX_BYTES and DEMO_MAX_LOG_BYTES again to what was read.
const MAX_FILE_BYTES = DEMO_UPLOAD_CEILING_BYTES;

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
      autocomplete: suggestFactories,
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
    const limit = ctx.services.config.DEMO_MAX_BYTES;
    if (attachments.reduce((sum, a) => sum + a.sizeBytes, 0) > limit) throw tooLarge("The upload", limit);
    const files = [];
    for (const a of attachments) {
      files.push({ name: a.name, bytes: await a.read() });
    }
    const r = await submissions.submit({ ...requestOf(ctx), factoryId: args.factory, files });
    const token = tokens.get(r.token);
    return {
      title: `Submission #${r.submissionId} queued`,
      text:
        `Your recording for "${literal(r.taskTitle)}" (factory #${r.factoryId} "${literal(r.factoryName)}") is queued for grading; ` +
        `${formatMoney(r.bidAtoms, token)} is reserved for it until ${formatTime(r.expiresAt)}. You will get the score and payout in a message.\n` +
        `What we saw: ${r.summary}`,
      tone: "success",
      data: {
        submissionId: r.submissionId,
        factoryId: r.factoryId,
        reserved: decimalString(r.bidAtoms, token),
        token: r.token,
        summary: r.summary,
        status: "queued" satisfies SubmissionStatus,
      },
    };
  },
});
