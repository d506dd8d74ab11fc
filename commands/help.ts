import { UserError } from "#src/core/errors.ts";
import { exampleFor } from "#src/core/options.ts";
import type { OptionSpec, ResolvedLeaf } from "#src/core/spec.ts";
import type { Services } from "#src/services.ts";
import { command } from "./_kit.ts";

function usage(leaf: ResolvedLeaf<Services>): string {
  const options = Object.entries<OptionSpec>(leaf.leaf.options ?? {}).map(([name, spec]) => {
    const example = exampleFor(name, spec);
    return spec.required ? example : `[${example}]`;
  });
  return [`/${leaf.path.join(" ")}`, ...options].join(" ");
}

export default command({
  name: "help",
  description: "List the commands, or explain one",
  category: "General",
  options: {
    command: { type: "string", description: "A command to explain, e.g. admin", maxLength: 64 },
  },
  handler(ctx, args) {
    const visible = ctx.services.commands
      .leaves()
      .filter((l) => l.access === "everyone" || ctx.actor.isModerator);
    if (args.command) {
      const name = args.command.replace(/^\//, "").trim().toLowerCase().split(/\s+/);
      const matching = visible.filter((l) => name.every((part, i) => l.path[i] === part));
      if (matching.length === 0) {
        throw new UserError(
          "unknown_command",
          `There is no command /${name.join(" ")} you can use. Type /help for the list.`,
        );
      }
      const text = matching
        .map((l) => {
          const options = Object.entries<OptionSpec>(l.leaf.options ?? {}).map(
            ([option, spec]) => `  ${option}${spec.required ? "" : " (optional)"}: ${spec.description}`,
          );
          return [
            `**${usage(l)}**`,
            `  ${l.leaf.description}${l.access === "moderator" ? " (moderators)" : ""}`,
            ...options,
          ].join("\n");
        })
        .join("\n\n");
      return {
        title: `Help: /${name.join(" ")}`,
        text,
        data: { commands: matching.map((l) => ({ path: l.path.join(" "), usage: usage(l) })) },
      };
    }
    const byCategory = new Map<string, string[]>();
    for (const leaf of visible) {
      const category = leaf.command.category ?? "Other";
      const list = byCategory.get(category) ?? [];
      list.push(
        `/${leaf.path.join(" ")} — ${leaf.leaf.description}${leaf.access === "moderator" ? " (moderators)" : ""}`,
      );
      byCategory.set(category, list);
    }
    const rank = (category: string) => (category === "General" ? 0 : category === "Moderators" ? 2 : 1);
    const ordered = [...byCategory.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
    const text = ordered.map(([category, items]) => `**${category}**\n${items.join("\n")}`).join("\n\n");
    return {
      title: "Forgebot commands",
      text: `${text}\n\nType /help command:<name> for the options of one command.`,
      data: { commands: visible.map((l) => l.path.join(" ")) },
    };
  },
});
