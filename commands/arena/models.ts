// /arena submit and /arena score: a node's model for the epoch and the validators' scores of it.
import { Decimal } from "decimal.js";
import { MAX_MODEL_REF_LENGTH } from "#src/arena/types.ts";
import { literal } from "#src/core/markup.ts";
import { type Ctx, requestOf, subcommand } from "../_kit.ts";
import { taskOption } from "./options.ts";

export const submit = subcommand({
  description: "Submit your node's trained model for this epoch",
  options: {
    task: taskOption,
    model: {
      type: "string",
      description: "Where the model is, e.g. hf.co/you/model@v3",
      required: true,
      maxLength: MAX_MODEL_REF_LENGTH,
    },
  },
  async handler(ctx: Ctx, args) {
    const { submissionId } = await ctx.services.arena.submit({
      ...requestOf(ctx),
      taskId: args.task,
      modelRef: args.model,
    });
    return {
      title: "Model submitted",
      text: `Submission #${submissionId} for task ${args.task}: ${args.model}. Validators can now score it; your latest submission of the epoch is the one that counts.`,
      tone: "success",
      data: { task: args.task, submissionId, model: args.model },
    };
  },
});

export const score = subcommand({
  description: "As a validator, score a node's latest submission from 0 to 1",
  options: {
    task: taskOption,
    node: { type: "user", description: "The training node", required: true },
    score: {
      type: "decimal",
      description: "From 0 (useless) to 1 (perfect)",
      required: true,
      minValue: "0",
      maxValue: "1",
    },
  },
  async handler(ctx: Ctx, args) {
    const result = await ctx.services.arena.score({
      ...requestOf(ctx),
      taskId: args.task,
      nodeUserId: args.node.userId,
      score: new Decimal(args.score.toString()),
    });
    return {
      text: `You scored ${literal(args.node.displayName)}'s submission #${result.submissionId} (${result.modelRef}) ${result.score}.`,
      tone: "success",
      data: {
        task: args.task,
        node: args.node.userId,
        submissionId: result.submissionId,
        score: result.score,
      },
    };
  },
});
