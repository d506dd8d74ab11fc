// Registers the slash commands: one bulk overwrite (PUT), so commands removed from commands/ vanish
// from Discord too. Globally (every server, may take a while to show) or to one server (instant,
// for testing). A separate step from start-up, as the discord.js guide has it: start-up never
// touches the registration, and many replicas never race to overwrite it.
import { type REST, Routes } from "discord.js";
import type { CommandSpec } from "#src/core/spec.ts";
import { assertDiscordLimits } from "./limits.ts";
import { mixedAccessProblems, slashCommands } from "./slash-commands.ts";

export interface DeployOptions {
  rest: REST;
  /** Found from the token (GET /applications/@me) when not given. */
  applicationId?: string;
  /** One server instead of every server. */
  guildId?: string;
  /** Print the JSON instead of registering it. */
  dryRun: boolean;
  write(text: string): void;
}

export interface DeployReport {
  scope: "global" | "guild" | "dry-run";
  names: string[];
}

export async function deployCommands(
  commands: Iterable<CommandSpec<unknown>>,
  options: DeployOptions,
): Promise<DeployReport> {
  const specs = [...commands];
  const mixed = mixedAccessProblems(specs);
  if (mixed.length > 0)
    throw new Error(`These commands cannot be registered as they are:\n${mixed.join("\n")}`);
  const body = slashCommands(specs);
  assertDiscordLimits(body);
  const names = body.map((c) => c.name);
  if (options.dryRun) {
    options.write(`${JSON.stringify(body, null, 2)}\n`);
    return { scope: "dry-run", names };
  }
  const applicationId =
    options.applicationId ?? ((await options.rest.get(Routes.currentApplication())) as { id: string }).id;
  const route = options.guildId
    ? Routes.applicationGuildCommands(applicationId, options.guildId)
    : Routes.applicationCommands(applicationId);
  const registered = (await options.rest.put(route, { body })) as Array<{ name: string }>;
  return { scope: options.guildId ? "guild" : "global", names: registered.map((c) => c.name) };
}
