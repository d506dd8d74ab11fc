// npm run deploy-commands [-- --dry-run] [-- --guild ID | --global]
// Registers every command in commands/ with Discord (bulk overwrite), after checking Discord's limits.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { REST } from "discord.js";
import { COMMANDS_DIR } from "#src/app.ts";
import { ConfigError, loadConfig } from "#src/config.ts";
import { loadCommandModules } from "#src/core/registry.ts";
import { deployCommands } from "./deploy.ts";
import { DiscordLimitError } from "./limits.ts";

const USAGE = `Usage: npm run deploy-commands -- [--dry-run] [--guild ID | --global]

  --dry-run    print the slash command JSON instead of registering it (no token needed)
  --guild ID   register to this server only (instant; default DISCORD_GUILD_ID)
  --global     register globally even when DISCORD_GUILD_ID is set

Needs DISCORD_TOKEN (and DISCORD_APPLICATION_ID, or it is looked up from the token).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "dry-run": { type: "boolean", default: false },
      guild: { type: "string" },
      global: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.global && values.guild) {
    console.error("Choose --guild ID or --global, not both.");
    return 2;
  }
  if (existsSync(".env")) process.loadEnvFile(".env");
  const config = loadConfig(process.env);
  const dryRun = values["dry-run"];
  if (!dryRun && !config.DISCORD_TOKEN) {
    console.error("DISCORD_TOKEN is not set: registering commands needs the bot token (or use --dry-run).");
    return 2;
  }
  const rest = new REST({ api: config.DISCORD_API_BASE });
  if (config.DISCORD_TOKEN) rest.setToken(config.DISCORD_TOKEN);
  const guildId = values.global ? undefined : (values.guild ?? config.DISCORD_GUILD_ID);
  const report = await deployCommands(await loadCommandModules(COMMANDS_DIR), {
    rest,
    ...(config.DISCORD_APPLICATION_ID ? { applicationId: config.DISCORD_APPLICATION_ID } : {}),
    ...(guildId ? { guildId } : {}),
    dryRun,
    write: (text) => process.stdout.write(text),
  });
  const where =
    report.scope === "guild" ? `to server ${guildId}` : report.scope === "global" ? "globally" : "";
  if (report.scope !== "dry-run")
    console.error(`Registered ${report.names.length} commands ${where}: /${report.names.join(", /")}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Never the error object itself: a REST error may carry request details.
    if (error instanceof ConfigError || error instanceof DiscordLimitError) console.error(error.message);
    else
      console.error(
        `Could not register the commands: ${error instanceof Error ? error.message : String(error)}`,
      );
    process.exitCode = 1;
  },
);
