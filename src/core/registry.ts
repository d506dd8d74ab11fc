// All commands, checked once when the bot starts: names and options every platform accepts, no
// command defined twice, confirmations only where options can be stored for the Confirm press.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { closestNames } from "./did-you-mean.ts";
import { UserError } from "./errors.ts";
import { INT32_MAX, INT32_MIN } from "./options.ts";
import { type CommandSpec, leavesOf, type OptionSpec, type ResolvedLeaf } from "./spec.ts";

const NAME = /^[a-z][a-z0-9_]{0,31}$/;

export class CommandRegistry<S = unknown> {
  readonly #commands = new Map<string, CommandSpec<S>>();
  readonly #leaves = new Map<string, ResolvedLeaf<S>>();

  constructor(commands: Iterable<CommandSpec<S>>) {
    for (const command of commands) {
      if (this.#commands.has(command.name)) throw new Error(`The command /${command.name} is defined twice.`);
      this.#commands.set(command.name, command);
      const leaves = leavesOf(command);
      if (leaves.length === 0) throw new Error(`The command /${command.name} has nothing to run.`);
      for (const leaf of leaves) {
        for (const part of leaf.path) {
          if (!NAME.test(part))
            throw new Error(
              `"${part}" in /${leaf.path.join(" ")} is not a valid command name (a-z, 0-9, _; at most 32).`,
            );
        }
        for (const [name, option] of Object.entries<OptionSpec>(leaf.leaf.options ?? {})) {
          if (!NAME.test(name))
            throw new Error(`Option "${name}" of /${leaf.path.join(" ")} is not a valid name.`);
          if (
            option.type === "integer" &&
            ((option.minValue ?? 0) < INT32_MIN || (option.maxValue ?? 0) > INT32_MAX)
          ) {
            throw new Error(
              `Option "${name}" of /${leaf.path.join(" ")} reaches past 32 bits; its values land in 32-bit columns.`,
            );
          }
          if (leaf.leaf.confirm && option.type === "attachment") {
            throw new Error(
              `/${leaf.path.join(" ")} asks for confirmation, so it cannot take a file (files are not kept).`,
            );
          }
        }
        this.#leaves.set(leaf.path.join(" "), leaf);
      }
    }
  }

  all(): CommandSpec<S>[] {
    return [...this.#commands.values()];
  }

  leaves(): ResolvedLeaf<S>[] {
    return [...this.#leaves.values()];
  }

  get(name: string): CommandSpec<S> | undefined {
    return this.#commands.get(name);
  }

  /** The leaf a typed path names, or a UserError that says what exists. */
  resolve(path: readonly string[]): ResolvedLeaf<S> {
    const [name, ...rest] = path;
    const command = name === undefined ? undefined : this.#commands.get(name);
    if (!command) {
      const guesses = closestNames(name ?? "", [...this.#commands.keys()]).map((n) => `/${n}`);
      const guess = guesses.length > 0 ? ` Did you mean ${orList(guesses)}?` : "";
      throw new UserError(
        "unknown_command",
        `There is no command /${name ?? ""}.${guess} Type /help to see the commands.`,
        ...(guesses.length > 0 ? [{ didYouMean: guesses }] : []),
      );
    }
    const exact = this.#leaves.get(path.join(" "));
    if (exact) return exact;
    const below = this.leaves()
      .filter((l) => l.path[0] === name && rest.every((part, i) => l.path[i + 1] === part))
      .map((l) => `/${l.path.join(" ")}`);
    if (below.length > 0) {
      throw new UserError(
        "missing_subcommand",
        `/${path.join(" ")} needs a subcommand: ${below.join(", ")}.`,
      );
    }
    const siblings = this.leaves().filter((l) => l.path[0] === name);
    // The deepest part that matched nothing: the names valid in its place are the guesses.
    const depth =
      rest.findIndex(
        (_, i) => !siblings.some((l) => path.slice(0, i + 2).every((part, j) => l.path[j] === part)),
      ) + 1;
    const matched = path.slice(0, depth);
    const valid = [
      ...new Set(
        siblings
          .filter((l) => matched.every((part, i) => l.path[i] === part) && l.path.length > depth)
          .map((l) => l.path[depth]!),
      ),
    ];
    const guesses = (depth === 0 ? [] : closestNames(path[depth] ?? "", valid)).map(
      (n) => `/${[...matched, n].join(" ")}`,
    );
    if (guesses.length > 0) {
      throw new UserError(
        "unknown_command",
        `/${path.join(" ")} does not exist. Did you mean ${orList(guesses)}?`,
        { didYouMean: guesses },
      );
    }
    // Nothing close: the names valid at that depth (a group stands for its subcommands).
    const choices = valid.map((n) => `/${[...matched, n].join(" ")}`);
    throw new UserError("unknown_command", `/${path.join(" ")} does not exist. Try ${choices.join(", ")}.`);
  }
}

/** "a", "a or b", "a, b or c" */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/**
 * Imports every command module in `dir`: a file per command, or a folder per command with an
 * index.ts. Names starting with _ are shared helpers, not commands.
 */
export async function loadCommandModules<S>(dir: string): Promise<CommandSpec<S>[]> {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith("_"))
    .flatMap((entry) => {
      if (entry.isDirectory()) return [join(entry.name, "index.ts")];
      return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [entry.name] : [];
    })
    .sort();
  const commands: CommandSpec<S>[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(dir, file)).href)) as {
      default?: CommandSpec<S> | CommandSpec<S>[];
    };
    if (!module.default) throw new Error(`${file} in ${dir} has no default export (its command).`);
    commands.push(...(Array.isArray(module.default) ? module.default : [module.default]));
  }
  return commands;
}
