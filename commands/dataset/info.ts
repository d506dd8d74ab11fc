// /dataset info: what a factory's dataset holds now (counts, score histogram, size) and its versions.
import { literal } from "#src/core/markup.ts";
import { formatBytes } from "#src/grading/zip.ts";
import { formatTime } from "../_format.ts";
import { type Ctx, subcommand } from "../_kit.ts";

export const info = subcommand({
  description: "A factory's dataset: paid demonstrations, scores, size and versions",
  options: {
    factory: { type: "integer", description: "The factory's number", required: true, minValue: 1 },
  },
  async handler(ctx: Ctx, args) {
    const { datasets, db, config } = ctx.services;
    const d = await datasets.info(db.prisma, args.factory);
    const histogram = d.histogram
      .map((n, i) => `${i * 10}-${i === 9 ? 100 : i * 10 + 9}: ${n}`)
      .filter((_, i) => d.histogram[i]! > 0);
    const versions = d.versions.map(
      (v) =>
        `v${v.version} — ${v.demonstrations} demonstration(s), ${formatBytes(v.sizeBytes)}, ${formatTime(v.createdAt)}` +
        `${v.minScore !== null ? `, scores ≥ ${v.minScore}` : ""}${v.taskRef ? `, task ${literal(v.taskRef)}` : ""}`,
    );
    const text = [
      `${d.demonstrations} paid demonstration(s) (${d.withVideo} with video), ${formatBytes(d.sizeBytes)} of files as uploaded.`,
      d.tasks.length > 0
        ? `Tasks: ${d.tasks.map((t) => `${literal(t.ref)} (${t.demonstrations})`).join(", ")}`
        : "No paid demonstration yet.",
      histogram.length > 0 ? `Scores: ${histogram.join(", ")}` : "",
      versions.length > 0
        ? `Versions:\n${versions.map((v) => `• ${v}`).join("\n")}`
        : `No version yet: its creator freezes one with /dataset export factory:${d.factory.id}.`,
    ].filter(Boolean);
    return {
      title: `Dataset of factory #${d.factory.id} "${d.factory.name}"`,
      text: text.join("\n"),
      data: {
        factoryId: d.factory.id,
        demonstrations: d.demonstrations,
        withVideo: d.withVideo,
        sizeBytes: d.sizeBytes,
        histogram: d.histogram,
        tasks: d.tasks,
        versions: d.versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
      },
      ...(config.CARD_IMAGES
        ? {
            image: {
              png: (
                await (
                  await import("#src/leaderboards/cards/dataset-card.ts")
                ).renderDatasetCard({
                  name: d.factory.name,
                  demonstrations: d.demonstrations,
                  size: formatBytes(d.sizeBytes),
                  versions: d.versions.length,
                  histogram: d.histogram,
                })
              ).png,
              name: "dataset.png",
              alt: `Dataset of ${d.factory.name}: ${d.demonstrations} demonstrations, score histogram`,
            },
          }
        : {}),
    };
  },
});
