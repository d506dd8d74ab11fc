// Discord's limits on application commands, checked before anything is registered (by the tests over
// every command in commands/, and by `npm run deploy-commands`). Each problem names the command, the
// option and what to change, so whoever adds a command can fix it without reading Discord's docs.
// https://discord.com/developers/docs/interactions/application-commands#registering-a-command
import { ApplicationCommandOptionType } from "discord.js";
import type { SlashCommand, SlashOption } from "./slash-commands.ts";

export const DISCORD_LIMITS = {
  commands: 100,
  name: 32,
  description: 100,
  options: 25,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  lengthBound: 6000,
  characters: 8000,
} as const;

const NAME = /^[-_a-z0-9]{1,32}$/;
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

function nameProblem(where: string, name: string): string | undefined {
  if (NAME.test(name)) return undefined;
  return `${where}: the name "${name}" must be 1-${DISCORD_LIMITS.name} characters of lowercase a-z, 0-9, _ or - (rename it)`;
}

function descriptionProblem(where: string, description: string): string | undefined {
  const length = [...description].length;
  if (length === 0)
    return `${where}: the description is empty (write one, at most ${DISCORD_LIMITS.description} characters)`;
  if (length > DISCORD_LIMITS.description)
    return `${where}: the description is ${length} characters; Discord allows ${DISCORD_LIMITS.description} (shorten it by ${length - DISCORD_LIMITS.description})`;
  return undefined;
}

/** Characters Discord counts towards a command's 8,000: names, descriptions, choice names and values. */
export function commandCharacters(command: SlashCommand): number {
  const count = (options: SlashOption[] | undefined): number =>
    (options ?? []).reduce(
      (sum, o) =>
        sum +
        o.name.length +
        o.description.length +
        (o.choices ?? []).reduce((s, c) => s + c.name.length + String(c.value).length, 0) +
        count(o.options),
      0,
    );
  return command.name.length + command.description.length + count(command.options);
}

function leafOptionProblems(where: string, options: SlashOption[]): string[] {
  const problems: string[] = [];
  if (options.length > DISCORD_LIMITS.options)
    problems.push(
      `${where}: ${options.length} options; Discord allows ${DISCORD_LIMITS.options} (split it into subcommands)`,
    );
  let seenOptional = false;
  for (const o of options) {
    const at = `${where} option "${o.name}"`;
    const name = nameProblem(at, o.name);
    if (name) problems.push(name);
    const description = descriptionProblem(at, o.description);
    if (description) problems.push(description);
    if (
      o.type === ApplicationCommandOptionType.Subcommand ||
      o.type === ApplicationCommandOptionType.SubcommandGroup
    )
      problems.push(`${at}: a subcommand cannot sit beside options (give the command only subcommands)`);
    if (o.required && seenOptional)
      problems.push(`${at}: a required option must come before the optional ones`);
    if (!o.required) seenOptional = true;
    if (o.choices) {
      if (o.choices.length > DISCORD_LIMITS.choices)
        problems.push(
          `${at}: ${o.choices.length} choices; Discord allows ${DISCORD_LIMITS.choices} (use autocomplete instead)`,
        );
      if (o.autocomplete) problems.push(`${at}: choices and autocomplete cannot be combined (keep one)`);
      for (const c of o.choices) {
        const length = [...c.name].length;
        if (length === 0 || length > DISCORD_LIMITS.choiceName)
          problems.push(
            `${at}: the choice "${c.name}" needs a name of 1-${DISCORD_LIMITS.choiceName} characters`,
          );
        if (typeof c.value === "string" && c.value.length > DISCORD_LIMITS.choiceValue)
          problems.push(
            `${at}: the choice value "${c.value.slice(0, 20)}…" is over ${DISCORD_LIMITS.choiceValue} characters`,
          );
        if (typeof c.value === "number" && !Number.isSafeInteger(c.value))
          problems.push(`${at}: the choice value ${c.value} is not a whole number Discord can carry`);
      }
    }
    for (const key of ["min_length", "max_length"] as const) {
      const value = o[key];
      if (
        value !== undefined &&
        (!Number.isInteger(value) || value < 0 || value > DISCORD_LIMITS.lengthBound)
      )
        problems.push(`${at}: ${key} must be a whole number from 0 to ${DISCORD_LIMITS.lengthBound}`);
    }
    if (o.max_length === 0) problems.push(`${at}: max_length must be at least 1`);
    if (o.min_length !== undefined && o.max_length !== undefined && o.min_length > o.max_length)
      problems.push(`${at}: min_length ${o.min_length} is above max_length ${o.max_length}`);
    for (const key of ["min_value", "max_value"] as const) {
      const value = o[key];
      if (value !== undefined && (!Number.isSafeInteger(value) || Math.abs(value) > SAFE_INTEGER))
        problems.push(`${at}: ${key} must be a whole number within ±${SAFE_INTEGER}`);
    }
    if (o.min_value !== undefined && o.max_value !== undefined && o.min_value > o.max_value)
      problems.push(`${at}: min_value ${o.min_value} is above max_value ${o.max_value}`);
  }
  return problems;
}

function subcommandProblems(where: string, options: SlashOption[], depth: number): string[] {
  const problems: string[] = [];
  if (options.length > DISCORD_LIMITS.options)
    problems.push(
      `${where}: ${options.length} subcommands; Discord allows ${DISCORD_LIMITS.options} (group them or split the command)`,
    );
  for (const o of options) {
    const at = `${where} ${o.name}`;
    const name = nameProblem(at, o.name);
    if (name) problems.push(name);
    const description = descriptionProblem(at, o.description);
    if (description) problems.push(description);
    if (o.type === ApplicationCommandOptionType.SubcommandGroup) {
      if (depth > 0) problems.push(`${at}: groups cannot be nested`);
      const inner = o.options ?? [];
      if (inner.some((i) => i.type !== ApplicationCommandOptionType.Subcommand))
        problems.push(`${at}: a group holds only subcommands`);
      problems.push(...subcommandProblems(at, inner, depth + 1));
    } else if (o.type === ApplicationCommandOptionType.Subcommand) {
      problems.push(...leafOptionProblems(at, o.options ?? []));
    } else {
      problems.push(
        `${where}: the option "${o.name}" sits beside subcommands; Discord needs a command to have either options or subcommands (move it into the subcommands)`,
      );
    }
  }
  return problems;
}

/** Every way `commands` break Discord's limits; empty when all of them can be registered. */
export function discordLimitProblems(commands: readonly SlashCommand[]): string[] {
  const problems: string[] = [];
  if (commands.length > DISCORD_LIMITS.commands)
    problems.push(
      `${commands.length} commands; Discord allows ${DISCORD_LIMITS.commands} slash commands per application (merge some into subcommands)`,
    );
  const names = new Set<string>();
  for (const command of commands) {
    const where = `/${command.name}`;
    if (names.has(command.name)) problems.push(`${where}: defined twice`);
    names.add(command.name);
    const name = nameProblem(where, command.name);
    if (name) problems.push(name);
    const description = descriptionProblem(where, command.description);
    if (description) problems.push(description);
    const hasSubcommands = command.options.some(
      (o) =>
        o.type === ApplicationCommandOptionType.Subcommand ||
        o.type === ApplicationCommandOptionType.SubcommandGroup,
    );
    problems.push(
      ...(hasSubcommands
        ? subcommandProblems(where, command.options, 0)
        : leafOptionProblems(where, command.options)),
    );
    const characters = commandCharacters(command);
    if (characters > DISCORD_LIMITS.characters)
      problems.push(
        `${where}: ${characters} characters in names, descriptions and choices; Discord allows ${DISCORD_LIMITS.characters} per command (shorten descriptions or split the command)`,
      );
  }
  return problems;
}

export class DiscordLimitError extends Error {
  override name = "DiscordLimitError";
  constructor(readonly problems: string[]) {
    super(`These commands break Discord's limits:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function assertDiscordLimits(commands: readonly SlashCommand[]): void {
  const problems = discordLimitProblems(commands);
  if (problems.length > 0) throw new DiscordLimitError(problems);
}
