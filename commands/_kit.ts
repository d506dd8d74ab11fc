// The vocabulary every command file uses: builders whose handlers see the bot's typed services.
import type { CommandContext } from "#src/core/context.ts";
import { commandBuilders } from "#src/core/spec.ts";
import type { Services } from "#src/services.ts";

export type Ctx = CommandContext<Services>;

export const { command, subcommand, commandGroup } = commandBuilders<Services>();
