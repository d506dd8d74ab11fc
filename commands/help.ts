// /help: short by design. Alone it lists the commands by category, one line each; with a command's
// name (/help command:submit on Discord, /help submit on Telegram and the console) it explains that
// command's subcommands and options. Each platform gets its own way of writing a command: on
// Discord a command's path is `code`, which the Discord renderer turns into a clickable mention
// once it knows the command's id; on Telegram /name is plain text, which Telegram makes a link,
// and files are attached rather than typed.
import { UserError } from "#src/core/errors.ts";
import { exampleFor } from "#src/core/options.ts";
import type { OptionSpec, ResolvedLeaf } from "#src/core/spec.ts";
import type { Services } from "#src/services.ts";
import { type Ctx, command } from "./_kit.ts";

type Leaf = ResolvedLeaf<Services>;

/** The categories in the order /help lists them; any other comes before Moderators. */
const ORDER = ["General", "Money", "Factories", "Ambassadors", "Arena", "Community"];
const rank = (category: string) => {
  const index = ORDER.indexOf(category);
  return category === "Moderators" ? ORDER.length + 1 : index < 0 ? ORDER.length : index;
};

/** A command path as the platform writes it: `code` on Discord (a mention there), else /text. */
function named(ctx: Ctx, path: readonly string[]): string {
  const slash = `/${path.join(" ")}`;
  return ctx.platform === "discord" ? `\`${slash}\`` : slash;
}

/** How to type one option on this platform. */
function optionUsage(ctx: Ctx, name: string, spec: OptionSpec): string {
  if (spec.type === "attachment" && ctx.platform === "telegram") return `(attach the ${name})`;
  return exampleFor(name, spec);
}

function usage(ctx: Ctx, leaf: Leaf): string {
  const options = Object.entries<OptionSpec>(leaf.leaf.options ?? {}).map(([name, spec]) => {
    const example = optionUsage(ctx, name, spec);
    return spec.required ? example : `[${example}]`;
  });
  return [named(ctx, leaf.path), ...options].join(" ");
}

/** How to ask for one command's details, in this platform's words. */
function detailHint(ctx: Ctx): string {
  switch (ctx.platform) {
    case "discord":
      return "`/help` with `command:` and a name explains one, e.g. command:submit.";
    case "telegram":
      return "Send /help and a command's name to see what it does, e.g. /help submit.";
    default:
      return "/help and a command's name explains one, e.g. /help submit (or /help command:submit).";
  }
}

function detail(ctx: Ctx, leaves: Leaf[], asked: string[]) {
  const text = leaves
    .map((l) => {
      const who = l.access === "moderator" ? " (moderators)" : "";
      const options = Object.entries<OptionSpec>(l.leaf.options ?? {}).map(
        ([option, spec]) => `  ${option}${spec.required ? "" : " (optional)"}: ${spec.description}`,
      );
      return [`**${usage(ctx, l)}**`, `  ${l.leaf.description}${who}`, ...options].join("\n");
    })
    .join("\n\n");
  return {
    title: `Help: /${asked.join(" ")}`,
    text,
    data: { commands: leaves.map((l) => ({ path: l.path.join(" "), usage: usage(ctx, l) })) },
  };
}

export default command({
  name: "help",
  description: "List the commands, or explain one",
  category: "General",
  ephemeral: true,
  words: "command",
  options: {
    command: { type: "string", description: "A command to explain, e.g. submit", maxLength: 64 },
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
      return detail(ctx, matching, name);
    }
    // One line per category: the commands' names only (a command's subcommands are in its detail).
    const byCategory = new Map<string, string[]>();
    for (const leaf of visible) {
      const category = leaf.command.category ?? "Other";
      const names = byCategory.get(category) ?? [];
      const shown = leaf.command.leaf ? named(ctx, leaf.path) : named(ctx, [leaf.command.name]);
      if (!names.includes(shown)) names.push(shown);
      byCategory.set(category, names);
    }
    const ordered = [...byCategory.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
    const lines = ordered.map(([category, names]) => `**${category}**: ${names.join(" ")}`);
    return {
      title: "Forgebot commands",
      text: `${lines.join("\n")}\n\n${detailHint(ctx)}`,
      data: {
        categories: Object.fromEntries(ordered.map(([category]) => [category, byCategory.get(category)])),
        commands: visible.map((l) => l.path.join(" ")),
      },
    };
  },
});
