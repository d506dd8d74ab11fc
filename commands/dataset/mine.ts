// /dataset mine: a farmer's stored recordings and the dataset versions that hold them.
import { literal } from "#src/core/markup.ts";
import { formatBytes } from "#src/grading/zip.ts";
import { type Ctx, paging, subcommand } from "../_kit.ts";

export const mine = subcommand({
  description: "Your stored recordings and which dataset versions include them",
  personal: true,
  options: {},
  async handler(ctx: Ctx) {
    const page = paging(ctx);
    const { total, recordings } = await ctx.services.datasets.mine(
      ctx.services.db.prisma,
      ctx.actor.userId,
      page.window,
    );
    if (recordings.length === 0)
      return {
        text: page.empty("You have no stored recordings yet: /submit one to a factory."),
        data: { recordings: [] },
      };
    const lines = recordings.map((r) => {
      const files = r.purged
        ? "files deleted (not paid for)"
        : r.files.map((f) => `${literal(f.name)} ${formatBytes(f.sizeBytes)}`).join(", ");
      const versions =
        r.versions.length > 0
          ? `in version(s) ${r.versions.join(", ")} as ${r.pseudonym}`
          : "in no version yet";
      return `• #${r.submissionId} factory #${r.factoryId} "${literal(r.factoryName)}", ${r.status}${r.score !== null ? ` ${r.score}/100` : ""}: ${files}; ${versions}`;
    });
    return {
      ...page.of(total, "Your stored recordings"),
      text: lines.join("\n"),
      data: { recordings },
    };
  },
});
