// Every command in commands/ (today's and every one added later) becomes slash command JSON that
// Discord accepts; the limits check names what to fix when one does not.
import { ApplicationCommandOptionType as T } from "discord.js";
import { describe, expect, it } from "vitest";
import { COMMANDS_DIR } from "#src/app.ts";
import { loadCommandModules } from "#src/core/registry.ts";
import { commandBuilders } from "#src/core/spec.ts";
import { commandCharacters, DISCORD_LIMITS, discordLimitProblems } from "#src/platforms/discord/limits.ts";
import { type SlashCommand, slashCommand, slashCommands } from "#src/platforms/discord/slash-commands.ts";
import { TEST_COMMANDS } from "#test/helpers/test-commands.ts";

const { command, commandGroup, subcommand } = commandBuilders<unknown>();

describe("slash command JSON", () => {
  it("every command in commands/ passes Discord's limits", async () => {
    const json = slashCommands(await loadCommandModules(COMMANDS_DIR));
    expect(json.length).toBeGreaterThan(0);
    // On failure this lists each problem with the command, the option and what to change.
    expect(discordLimitProblems(json)).toEqual([]);
    for (const c of json) expect(commandCharacters(c)).toBeLessThanOrEqual(DISCORD_LIMITS.characters);
  });

  it("renders /admin: moderator-only subcommands with typed options, required first", async () => {
    const commands = await loadCommandModules(COMMANDS_DIR);
    const admin = slashCommand(commands.find((c) => c.name === "admin")!);
    expect(admin.default_member_permissions).toBe("32");
    expect(admin.contexts).toEqual([0]);
    const credit = admin.options.find((o) => o.name === "credit")!;
    expect(credit.type).toBe(T.Subcommand);
    expect(credit.options!.map((o) => [o.name, o.type, o.required ?? false])).toEqual([
      ["user", T.User, true],
      ["amount", T.String, true],
      ["token", T.String, true],
      ["reason", T.String, true],
    ]);
    expect(credit.options!.find((o) => o.name === "token")!.autocomplete).toBe(true);
    expect(credit.options!.find((o) => o.name === "reason")!.max_length).toBe(200);

    const balance = slashCommand(commands.find((c) => c.name === "balance")!);
    expect(balance.default_member_permissions).toBeNull();
    expect(balance.contexts).toEqual([0, 1]);
  });

  it("renders every option kind, choices, bounds, groups and the required-first order", () => {
    const json = slashCommand(
      commandGroup({
        name: "arena",
        description: "The arena",
        subcommands: {
          join: subcommand({
            description: "Join",
            options: {
              note: { type: "string", description: "A note", minLength: 2, maxLength: 50 },
              side: {
                type: "string",
                description: "Which side",
                required: true,
                choices: [
                  { name: "Red", value: "red" },
                  { name: "Blue", value: "blue" },
                ],
              },
              rate: { type: "decimal", description: "A rate", minValue: "0", maxValue: "1" },
              stake: { type: "amount", description: "How much", required: true },
              level: { type: "integer", description: "Level", minValue: 1, maxValue: 9 },
              pool: { type: "string", description: "A pool", autocomplete: async () => [] },
              ok: { type: "boolean", description: "Sure?" },
              where: { type: "channel", description: "Where" },
              proof: { type: "attachment", description: "A file", maxBytes: 10 },
            },
            handler: () => ({ text: "" }),
          }),
        },
        groups: {
          task: {
            description: "Tasks",
            subcommands: {
              create: subcommand({ description: "Create a task", handler: () => ({ text: "" }) }),
            },
          },
        },
      }),
    );
    const join = json.options[0]!;
    expect(join.options!.map((o) => o.name)).toEqual([
      "side",
      "stake",
      "note",
      "rate",
      "level",
      "pool",
      "ok",
      "where",
      "proof",
    ]);
    const by = Object.fromEntries(join.options!.map((o) => [o.name, o]));
    expect(by.side).toMatchObject({
      type: T.String,
      required: true,
      choices: [
        { name: "Red", value: "red" },
        { name: "Blue", value: "blue" },
      ],
    });
    expect(by.note).toMatchObject({ type: T.String, min_length: 2, max_length: 50 });
    expect(by.rate!.type).toBe(T.String); // exact decimals travel as text
    expect(by.stake!.type).toBe(T.String);
    expect(by.level).toMatchObject({ type: T.Integer, min_value: 1, max_value: 9 });
    expect(by.pool).toMatchObject({ type: T.String, autocomplete: true });
    expect(by.ok!.type).toBe(T.Boolean);
    expect(by.where!.type).toBe(T.Channel);
    expect(by.proof!.type).toBe(T.Attachment);
    expect(json.options[1]).toMatchObject({
      type: T.SubcommandGroup,
      name: "task",
      options: [{ type: T.Subcommand, name: "create", options: [] }],
    });
    expect(json.default_member_permissions).toBeNull();
    expect(discordLimitProblems([json])).toEqual([]);
  });

  it("the test-only commands pass too (files, pictures, confirmations)", () => {
    expect(discordLimitProblems(slashCommands(TEST_COMMANDS as never))).toEqual([]);
  });
});

describe("the limits check says what to fix", () => {
  const base = (over: Partial<SlashCommand> = {}): SlashCommand => ({
    ...slashCommand(command({ name: "ok", description: "Fine", handler: () => ({ text: "" }) })),
    ...over,
  });
  const stringOption = (name: string, extra: Record<string, unknown> = {}) => ({
    type: T.String,
    name,
    description: "An option",
    ...extra,
  });

  it("accepts a valid command", () => {
    expect(discordLimitProblems([base()])).toEqual([]);
  });

  it("names each broken limit", () => {
    const problems = discordLimitProblems([
      base({ name: "Bad Name" }),
      base({ name: "long", description: "x".repeat(101) }),
      base({ name: "many", options: Array.from({ length: 26 }, (_, i) => stringOption(`o${i}`)) }),
      base({
        name: "choosy",
        options: [
          stringOption("pick", {
            choices: Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: `c${i}` })),
            autocomplete: true,
          }),
        ],
      }),
      base({ name: "order", options: [stringOption("a"), stringOption("b", { required: true })] }),
      base({
        name: "huge",
        options: Array.from({ length: 25 }, (_, i) =>
          stringOption(`o${i}`, {
            description: "d".repeat(100),
            choices: Array.from({ length: 25 }, (_, j) => ({
              name: `n${j}`.padEnd(20, "n"),
              value: `v${j}`,
            })),
          }),
        ),
      }),
      base({ name: "ok" }),
      base({ name: "ok" }),
      base({
        name: "mixed",
        options: [stringOption("x"), { type: T.Subcommand, name: "sub", description: "A sub", options: [] }],
      }),
      base({ name: "bounds", options: [stringOption("t", { min_length: 9, max_length: 3 })] }),
    ]);
    const expectations = [
      /^\/Bad Name: the name "Bad Name" must be 1-32 characters of lowercase a-z, 0-9, _ or - \(rename it\)$/,
      /^\/long: the description is 101 characters; Discord allows 100 \(shorten it by 1\)$/,
      /^\/many: 26 options; Discord allows 25 \(split it into subcommands\)$/,
      /^\/choosy option "pick": 26 choices; Discord allows 25 \(use autocomplete instead\)$/,
      /^\/choosy option "pick": choices and autocomplete cannot be combined/,
      /^\/order option "b": a required option must come before the optional ones$/,
      /^\/huge: \d+ characters in names, descriptions and choices; Discord allows 8000 per command/,
      /^\/ok: defined twice$/,
      /^\/mixed: the option "x" sits beside subcommands/,
      /^\/bounds option "t": min_length 9 is above max_length 3$/,
    ];
    for (const expected of expectations)
      expect(
        problems.some((p) => expected.test(p)),
        String(expected),
      ).toBe(true);
    expect(problems).toHaveLength(expectations.length);
  });
});
