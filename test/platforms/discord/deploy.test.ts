// `npm run deploy-commands`: one bulk overwrite of every command, to a server or globally, after the
// limits check; --dry-run prints the JSON and calls nothing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REST } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS_DIR } from "#src/app.ts";
import { loadCommandModules } from "#src/core/registry.ts";
import { type CommandSpec, commandBuilders, leavesOf } from "#src/core/spec.ts";
import { deployCommands } from "#src/platforms/discord/deploy.ts";
import { DiscordLimitError } from "#src/platforms/discord/limits.ts";
import { slashCommands } from "#src/platforms/discord/slash-commands.ts";
import { APPLICATION_ID, BOT_TOKEN, type FakeDiscord, startFakeDiscord } from "#test/helpers/fake-discord.ts";

const GUILD = "1070516376046944286";

describe("deploying the slash commands", () => {
  let discord: FakeDiscord;
  let commands: CommandSpec<unknown>[];
  const rest = () => new REST({ api: discord.apiBase }).setToken(BOT_TOKEN);

  beforeAll(async () => {
    discord = await startFakeDiscord();
    commands = await loadCommandModules(COMMANDS_DIR);
  });

  afterAll(async () => {
    await discord?.close();
  });

  it("prints the JSON on a dry run and registers nothing", async () => {
    let printed = "";
    const report = await deployCommands(commands, {
      rest: rest(),
      dryRun: true,
      write: (t) => (printed += t),
    });
    expect(report.scope).toBe("dry-run");
    expect(JSON.parse(printed)).toEqual(JSON.parse(JSON.stringify(slashCommands(commands))));
    expect(discord.rest.requests).toEqual([]);
  });

  it("sends no moderator-only command without default_member_permissions, and no member command with it", async () => {
    const mark = discord.rest.requests.length;
    await deployCommands(commands, {
      rest: rest(),
      applicationId: APPLICATION_ID,
      dryRun: false,
      write: () => {},
    });
    const put = discord.rest.since(mark).find((r) => r.method === "PUT")!;
    const sent = put.body as unknown as Array<{
      name: string;
      default_member_permissions: string | null;
      contexts: number[];
      options: Array<{ name: string; type: number; options?: Array<{ name: string }> }>;
    }>;
    const moderatorPaths = commands.flatMap((c) =>
      leavesOf(c)
        .filter((l) => l.access === "moderator")
        .map((l) => l.path),
    );
    // The moderators' tools today: /admin (credits, leaderboard posts, jobs) and /audit.
    expect(moderatorPaths.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining([
        "admin credit",
        "admin leaderboard post",
        "admin leaderboard schedule",
        "admin leaderboard unschedule",
        "admin leaderboard schedules",
        "admin epoch run",
        "audit",
      ]),
    );
    for (const path of moderatorPaths) {
      const command = sent.find((c) => c.name === path[0])!;
      // Manage Server, and only in servers (the permission does not apply in DMs).
      expect([path.join(" "), command.default_member_permissions, command.contexts]).toEqual([
        path.join(" "),
        "32",
        [0],
      ]);
    }
    // What members run stays visible to them: /epoch status and the boards are theirs.
    for (const command of sent.filter((c) => !moderatorPaths.some((p) => p[0] === c.name)))
      expect([command.name, command.default_member_permissions]).toEqual([command.name, null]);
    const names = (name: string) => sent.find((c) => c.name === name)!.options.map((o) => o.name);
    expect(names("epoch")).toEqual(["status"]);
    expect(names("leaderboard")).toEqual(["farmers", "ambassadors", "factories", "arena", "datasets"]);
  });

  it("refuses to register a command mixing moderator-only and member subcommands, naming what to move", async () => {
    const { commandGroup, subcommand } = commandBuilders<unknown>();
    const mixed = commandGroup({
      name: "boards",
      description: "Boards",
      subcommands: {
        show: subcommand({ description: "Show", handler: () => ({ text: "" }) }),
        post: subcommand({ description: "Post", access: "moderator", handler: () => ({ text: "" }) }),
      },
    });
    const mark = discord.rest.requests.length;
    await expect(
      deployCommands([mixed], {
        rest: rest(),
        applicationId: APPLICATION_ID,
        dryRun: false,
        write: () => {},
      }),
    ).rejects.toThrow(
      /\/boards mixes moderator-only subcommands \(\/boards post\) with subcommands for everyone/,
    );
    expect(discord.rest.since(mark)).toEqual([]);
  });

  it("overwrites one server's commands, finding the application from the token", async () => {
    const mark = discord.rest.requests.length;
    const report = await deployCommands(commands, {
      rest: rest(),
      guildId: GUILD,
      dryRun: false,
      write: () => {},
    });
    const [lookup, put] = discord.rest.since(mark);
    expect([lookup!.method, lookup!.path]).toEqual(["GET", "/api/v10/applications/@me"]);
    expect([put!.method, put!.path]).toEqual([
      "PUT",
      `/api/v10/applications/${APPLICATION_ID}/guilds/${GUILD}/commands`,
    ]);
    expect(put!.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
    expect(put!.body).toEqual(JSON.parse(JSON.stringify(slashCommands(commands))));
    expect(report).toEqual({ scope: "guild", names: commands.map((c) => c.name) });
  });

  it("refuses commands that break Discord's limits before calling Discord", async () => {
    const { command } = commandBuilders<unknown>();
    const tooLong = command({ name: "wordy", description: "w".repeat(120), handler: () => ({ text: "" }) });
    const before = discord.rest.requests.length;
    const attempt = deployCommands([...commands, tooLong], {
      rest: rest(),
      applicationId: APPLICATION_ID,
      dryRun: false,
      write: () => {},
    });
    await expect(attempt).rejects.toThrow(DiscordLimitError);
    await expect(attempt).rejects.toThrow(
      "/wordy: the description is 120 characters; Discord allows 100 (shorten it by 20)",
    );
    expect(discord.rest.requests.length).toBe(before);
  });

  it("runs as `npm run deploy-commands`, globally with --global", async () => {
    const before = discord.rest.requests.length;
    const { stderr } = await promisify(execFile)(
      "node_modules/.bin/tsx",
      ["src/platforms/discord/deploy-cli.ts", "--global"],
      {
        env: {
          ...process.env,
          DISCORD_TOKEN: BOT_TOKEN,
          DISCORD_APPLICATION_ID: APPLICATION_ID,
          DISCORD_GUILD_ID: GUILD,
          DISCORD_API_BASE: discord.apiBase,
        },
      },
    );
    const [put, ...more] = discord.rest.since(before);
    expect([put!.method, put!.path]).toEqual(["PUT", `/api/v10/applications/${APPLICATION_ID}/commands`]);
    expect(more).toEqual([]);
    expect(stderr).toContain(`Registered ${commands.length} commands globally: /admin`);
    expect(stderr).not.toContain(BOT_TOKEN);
  });
});
