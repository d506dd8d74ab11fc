// Attribution without typing on Discord (docs/economy.md section 6), the real way: the bot starts
// with DISCORD_INVITE_TRACKING through startFrontEnds, logs in to a loopback gateway (its IDENTIFY
// asks for the Server Members intent), /referral link arrives as INTERACTION_CREATE and makes the
// ambassador's invite at the loopback REST API, and a captured GUILD_MEMBER_ADD is fed in after the
// invite's use count went up: discord.js emits the join, the bot lists the invites over REST and
// records the referral, under every rule /referral use keeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "#src/log.ts";
import { type RunningFrontEnds, startFrontEnds } from "#src/platforms/front-ends.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";
import {
  type DiscordMember,
  discordFixture,
  guildCreate,
  slashCommand,
  snowflake,
} from "#test/helpers/discord-payloads.ts";
import {
  answersTo,
  BOT_TOKEN,
  embedText,
  type FakeDiscord,
  payloadOf,
  startFakeDiscord,
} from "#test/helpers/fake-discord.ts";

const REAL_CAPTURE = "slash-command-integer-option.real-capture.dsharpplus";
const JOIN = discordFixture("gateway/guild-member-add.real-capture");
const interaction = discordFixture(REAL_CAPTURE);
const GUILD = interaction.guild_id as string;
const CHANNEL = interaction.channel_id as string;

const amb: DiscordMember = { id: "336733686529654798", username: "amb", globalName: "Amb" };

describe("Discord personal referral invites (gateway, invite tracking on)", () => {
  let discord: FakeDiscord;
  let test: TestApp;
  let running: RunningFrontEnds | undefined;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    discord.channels.set(CHANNEL, GUILD);
    test = await createTestApp("pglite", {
      env: {
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_BASE: discord.apiBase,
        DISCORD_INVITE_TRACKING: "true",
        REFERRAL_DAILY_CAP: "2",
      },
    });
    running = await startFrontEnds(test.app, silentLogger);
    await discord.identified;
    discord.dispatch("GUILD_CREATE", guildCreate(GUILD, CHANNEL));
  });

  afterAll(async () => {
    await running?.stop();
    await discord?.close();
    await test?.close();
  });

  const services = () => test.app.services;

  /** /referral link as amb types it in the server's channel; what amb reads. */
  async function referralLink(): Promise<string> {
    const payload = slashCommand(interaction, amb, ["referral", "link"]);
    discord.dispatch("INTERACTION_CREATE", payload);
    // The answer: the callback itself when it was ready within the inline budget (type 4), else
    // the edit of the deferral.
    const answered = (body: Record<string, unknown>) =>
      (body.type === 4 ? body.data : body) as Record<string, unknown>;
    await discord.rest.waitFor(
      (r) =>
        r.path.includes(String(payload.token)) &&
        (r.path.includes("/webhooks/") || (r.body !== undefined && payloadOf(r).type === 4)),
    );
    return answersTo(discord, payload)
      .filter((r) => r.method !== "DELETE" && r.body)
      .map((r) => embedText(answered(payloadOf(r))))
      .join("\n");
  }

  /** Someone joins through `codes` (Discord counts the use first), as the captured dispatch. */
  async function join(member: { id: string; username: string }, codes: string[]) {
    for (const code of codes) discord.invites.get(code)!.uses++;
    const user = JOIN.user as Record<string, unknown>;
    discord.dispatch("GUILD_MEMBER_ADD", {
      ...JOIN,
      guild_id: GUILD,
      user: { ...user, id: member.id, username: member.username },
    });
    // The join is compared once discord.js has emitted it and the invite list was fetched.
    const listed = discord.rest.requests.filter((r) => r.path.endsWith(`/guilds/${GUILD}/invites`)).length;
    await discord.rest.waitFor(
      () => discord.rest.requests.filter((r) => r.path.endsWith(`/guilds/${GUILD}/invites`)).length > listed,
    );
    await services().referralInvites.idle();
  }

  const referrerOf = async (discordId: string) => {
    const account = await services().identity.findByPlatformId(services().db.prisma, "discord", discordId);
    if (!account) return undefined;
    return (await services().referrals.referrerOf(services().db.prisma, account.userId))?.referrerUserId;
  };

  let code = "";
  let ambUserId = 0;

  it("asks for the Server Members intent, and gives the ambassador a personal invite made over REST", async () => {
    // Guilds (1) and GuildMembers (2): without the second Discord sends no joins.
    expect(discord.identifies[0]!.intents).toBe(3);
    const text = await referralLink();
    const made = [...discord.invites.values()];
    expect(made).toHaveLength(1);
    code = made[0]!.code;
    expect(text).toContain(`Your personal invite to this server: https://discord.gg/${code}`);
    expect(text).toContain(`Join through https://discord.gg/${code}: that records me as your referrer`);
    const create = discord.rest.requests.find(
      (r) => r.method === "POST" && r.path.endsWith(`/channels/${CHANNEL}/invites`),
    )!;
    expect(create.body).toEqual({ max_age: 0, max_uses: 0, unique: true });
    ambUserId = (await services().identity.findByPlatformId(services().db.prisma, "discord", amb.id))!.userId;
    // Asked again: the same invite, none made.
    expect(await referralLink()).toContain(`https://discord.gg/${code}`);
    expect(discord.invites.size).toBe(1);
  });

  it("attributes a member who joins through it, with nothing typed", async () => {
    const newcomer = { id: snowflake(), username: "newcomer" };
    await join(newcomer, [code]);
    expect(await referrerOf(newcomer.id)).toBe(ambUserId);
    const row = await services().db.prisma.referral.findFirstOrThrow({
      where: { referrerUserId: ambUserId },
    });
    expect(row).toMatchObject({ platform: "discord" });
    expect((await services().db.prisma.referralInvite.findUniqueOrThrow({ where: { code } })).uses).toBe(1);
  });

  it("keeps every referral rule: not oneself, once, the daily cap; and never guesses", async () => {
    // The ambassador through their own invite: refused as a self-referral.
    await join({ id: amb.id, username: amb.username }, [code]);
    expect(await referrerOf(amb.id)).toBeUndefined();
    // Through an invite that is not a personal one (its count is not ours): nobody.
    discord.invites.set("openinvite", { code: "openinvite", guildId: GUILD, channelId: CHANNEL, uses: 0 });
    const walkIn = { id: snowflake(), username: "walkin" };
    await join(walkIn, ["openinvite"]);
    expect(await referrerOf(walkIn.id)).toBeUndefined();
    // A second ambassador's invite and amb's both used before one join is compared: ambiguous.
    const other = await services().identity.ensureUser({
      platform: "discord",
      id: snowflake(),
      displayName: "Other",
    });
    await services().db.prisma.referralInvite.create({
      data: {
        code: "otherinv",
        ambassadorUserId: other.userId,
        guildId: GUILD,
        uses: 0,
        createdAt: new Date(0),
      },
    });
    discord.invites.set("otherinv", { code: "otherinv", guildId: GUILD, channelId: CHANNEL, uses: 0 });
    const racer = { id: snowflake(), username: "racer" };
    await join(racer, [code, "otherinv"]);
    expect(await referrerOf(racer.id)).toBeUndefined();
    // The cap: amb gained one referral today, the cap is 2; the second joins, the third does not.
    const second = { id: snowflake(), username: "second" };
    const third = { id: snowflake(), username: "third" };
    await join(second, [code]);
    await join(third, [code]);
    expect([await referrerOf(second.id), await referrerOf(third.id)]).toEqual([ambUserId, undefined]);
    // Leaving and joining again changes nothing: a referral is recorded once.
    const first = await services().db.prisma.referral.count();
    await join(second, [code]);
    expect(await services().db.prisma.referral.count()).toBe(first);
  });
});
