// /dataset download: a version's package for whoever may download it (docs/economy.md 10.1): the
// console writes the file; a chat gets an expiring link.
import { literal } from "#src/core/markup.ts";
import { ATTACHMENT_LIMIT_BYTES } from "#src/core/reply.ts";
import { formatBytes } from "#src/grading/zip.ts";
import { formatTime } from "../_format.ts";
import { type Ctx, requestOf, subcommand } from "../_kit.ts";

export const download = subcommand({
  description: "Download a factory's dataset (latest version unless you name one)",
  personal: true,
  options: {
    factory: { type: "integer", description: "The factory's number", required: true, minValue: 1 },
    version: { type: "integer", description: "The version (default: the latest)", minValue: 1 },
  },
  async handler(ctx: Ctx, args) {
    const { version, delivery, factoryName } = await ctx.services.datasets.download({
      ...requestOf(ctx),
      factoryId: args.factory,
      ...(args.version !== undefined ? { version: args.version } : {}),
      toFile: ctx.platform === "console",
      attachUpTo: ATTACHMENT_LIMIT_BYTES[ctx.platform],
    });
    const what = `Version ${version.version} of "${literal(factoryName)}" (${version.demonstrations} demonstration(s), ${formatBytes(version.sizeBytes)}, sha256 \`${version.sha256}\`)`;
    const text =
      delivery.kind === "file"
        ? `${what} is written to ${literal(delivery.path)}`
        : delivery.kind === "attachment"
          ? `${what} is attached.`
          : `${what}: ${delivery.url}\nThe link works until ${formatTime(delivery.expiresAt)}; an interrupted download resumes.`;
    return {
      title: `Dataset of factory #${args.factory}`,
      text,
      tone: "success",
      data: {
        factoryId: args.factory,
        version: version.version,
        sha256: version.sha256,
        sizeBytes: version.sizeBytes,
        via: delivery.kind,
        ...(delivery.kind === "file"
          ? { path: delivery.path }
          : delivery.kind === "attachment"
            ? { fileName: delivery.name }
            : { url: delivery.url, expiresAt: delivery.expiresAt.toISOString() }),
      },
      ...(delivery.kind === "attachment"
        ? {
            file: {
              data: delivery.data,
              name: delivery.name,
              description: `Dataset of factory #${args.factory}, version ${version.version}`,
            },
          }
        : {}),
    };
  },
});
