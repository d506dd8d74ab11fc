// /dataset export: the creator (or a moderator) freezes the next version of a factory's dataset.
import { literal } from "#src/core/markup.ts";
import { formatBytes } from "#src/grading/zip.ts";
import { type Ctx, requestOf, subcommand } from "../_kit.ts";

export const exportDataset = subcommand({
  description: "Freeze the next version of a factory's dataset (its creator or a moderator)",
  options: {
    factory: { type: "integer", description: "The factory's number", required: true, minValue: 1 },
    min_score: {
      type: "integer",
      description: "Only demonstrations scoring at least this (0-100)",
      minValue: 0,
      maxValue: 100,
    },
    task: { type: "string", description: "Only this task (its ref, e.g. task_2)", maxLength: 64 },
  },
  async handler(ctx: Ctx, args) {
    const v = await ctx.services.datasets.export({
      ...requestOf(ctx),
      factoryId: args.factory,
      ...(args.min_score !== undefined ? { minScore: args.min_score } : {}),
      ...(args.task !== undefined ? { taskRef: args.task.trim() } : {}),
    });
    return {
      title: `Dataset version ${v.version} of factory #${args.factory}`,
      text:
        `Version ${v.version} of "${literal(v.factoryName)}" is frozen: ${v.demonstrations} demonstration(s), ` +
        `a ${formatBytes(v.sizeBytes)} package. /dataset download factory:${args.factory} version:${v.version} gets it.`,
      tone: "success",
      data: {
        factoryId: args.factory,
        version: v.version,
        demonstrations: v.demonstrations,
        sizeBytes: v.sizeBytes,
        sha256: v.sha256,
      },
    };
  },
});
