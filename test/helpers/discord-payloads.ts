// Raw Discord interactions for tests, built on the captured and library-authored payloads in
// test/fixtures/discord: the envelope (member, guild, channel, token, version) is kept as captured;
// the command, its options and the ids are set to this bot's commands.
import { readFileSync } from "node:fs";
import { APPLICATION_ID } from "./fake-discord.ts";

type Json = Record<string, unknown>;

export function discordFixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/discord/${name}.json`, import.meta.url), "utf8"));
}

let counter = 0;
/** A fresh snowflake-shaped id. */
export function snowflake(): string {
  counter++;
  return String(1_354_214_732_164_235_476n + BigInt(counter) * 4_096n);
}

export interface DiscordMember {
  id: string;
  username: string;
  globalName?: string;
}

export interface SlashOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: SlashOption[];
}

/** The envelope of a captured interaction, re-addressed: new id and token, this application, `user`. */
function envelope(fixture: Json, user: DiscordMember): Json {
  const member = fixture.member as Json | undefined;
  const userJson = {
    ...((member?.user as Json | undefined) ?? {}),
    id: user.id,
    username: user.username,
    global_name: user.globalName ?? null,
  };
  return {
    // Discord sends this with every interaction since 2024 (discord.js 14.28 requires it); the older
    // library samples predate it.
    authorizing_integration_owners: { "0": fixture.guild_id ?? "0" },
    ...fixture,
    id: snowflake(),
    token: `test-interaction-token-${counter}`,
    application_id: APPLICATION_ID,
    ...(member ? { member: { ...member, user: userJson } } : { user: userJson }),
  };
}

/** A slash command (type 2) in the shape of `fixture`, for /path[0] [path[1] [path[2]]]. */
export function slashCommand(
  fixture: Json,
  user: DiscordMember,
  path: string[],
  options: SlashOption[] = [],
  resolved?: Json,
): Json {
  const [name, ...rest] = path;
  let nested = options;
  if (rest.length === 2)
    nested = [{ name: rest[0]!, type: 2, options: [{ name: rest[1]!, type: 1, options }] }];
  else if (rest.length === 1) nested = [{ name: rest[0]!, type: 1, options }];
  const data = fixture.data as Json;
  return {
    ...envelope(fixture, user),
    type: 2,
    data: { ...data, id: snowflake(), name, type: 1, options: nested, ...(resolved ? { resolved } : {}) },
  };
}

/** An autocomplete (type 4) in the shape of `fixture`. */
export function autocomplete(
  fixture: Json,
  user: DiscordMember,
  path: string[],
  options: SlashOption[],
): Json {
  return { ...slashCommand(fixture, user, path, options), type: 4 };
}

/** A button press (type 3) on a message the bot sent, in the envelope of `fixture`. */
export function buttonPress(fixture: Json, user: DiscordMember, customId: string, ephemeral = false): Json {
  const base = envelope(fixture, user);
  return {
    ...base,
    type: 3,
    data: { custom_id: customId, component_type: 2 },
    message: {
      id: snowflake(),
      channel_id: base.channel_id,
      type: 20,
      content: "",
      author: { id: APPLICATION_ID, username: "Forgebot", discriminator: "0", avatar: null, bot: true },
      embeds: [],
      components: [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: "2026-01-01T00:00:00.000Z",
      edited_timestamp: null,
      flags: ephemeral ? 64 : 0,
    },
  };
}

/**
 * A GUILD_CREATE `d` for a server the bot is in (Guilds intent): what discord.js needs to know the
 * server, so that it emits the member joins Discord sends for it. Written after Discord's guild
 * object (https://discord.com/developers/docs/resources/guild#guild-object), not captured.
 */
export function guildCreate(guildId: string, channelId: string): Json {
  return {
    id: guildId,
    name: "Forge Farmers",
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: "80351110224678912",
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    roles: [
      {
        id: guildId,
        name: "@everyone",
        permissions: "1071698660929",
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: channelId,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: "2026-01-01T00:00:00.000000+00:00",
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [],
    channels: [
      { id: channelId, type: 0, guild_id: guildId, name: "general", position: 0, permission_overwrites: [] },
    ],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
  };
}

/** `resolved.users` for user options naming `members`. */
export function resolvedUsers(...members: DiscordMember[]): Json {
  return {
    users: Object.fromEntries(
      members.map((m) => [
        m.id,
        {
          id: m.id,
          username: m.username,
          global_name: m.globalName ?? null,
          discriminator: "0",
          avatar: null,
        },
      ]),
    ),
  };
}
