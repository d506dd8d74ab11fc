// The discord.js client both modes use: over the gateway it logs in and receives interactions; for
// the HTTP endpoint it never connects and only parses payloads and talks REST. No intent at all by
// default: slash commands, autocomplete and buttons arrive whatever the intents. Invite tracking
// (DISCORD_INVITE_TRACKING) adds Guilds, so servers are known, and the privileged Server Members,
// so member joins arrive (docs/platforms.md says what to switch on).
import { Client, GatewayIntentBits, Options } from "discord.js";
import { routeInteractionRequests } from "./interaction-rest.ts";
// Registers how the logs shorten this library's errors (../loggable.ts).
import "./errors.ts";

export interface DiscordClientSettings {
  /** REST base URL (DISCORD_API_BASE): Discord's, a proxy's, or a test's loopback server. */
  apiBase: string;
  token?: string;
  /** Receive member joins to attribute personal referral invites. */
  inviteTracking?: boolean;
  /** Gateway shards this process runs (DISCORD_SHARD_IDS) out of `shardCount`; default all. */
  shards?: number[];
  shardCount?: number;
}

export function createDiscordClient(settings: DiscordClientSettings): Client {
  const client = new Client({
    intents: settings.inviteTracking ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers] : [],
    rest: { api: settings.apiBase },
    // One process runs some of the shards (each a gateway connection for a slice of the servers);
    // without them discord.js runs every shard of the recommended count in this process.
    ...(settings.shards ? { shards: settings.shards } : {}),
    ...(settings.shardCount ? { shardCount: settings.shardCount } : {}),
    // The bot never pings anyone by echoing text, whatever a member typed.
    allowedMentions: { parse: [] },
    // Interactions carry what they need; cache as little as possible.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      UserManager: 10_000,
      GuildMemberManager: 1_000,
    }),
  });
  if (settings.token) client.rest.setToken(settings.token);
  // Answers, edits and follow-ups made with an interaction's token skip the bot's global limit.
  routeInteractionRequests(client.rest, settings.apiBase);
  return client;
}
