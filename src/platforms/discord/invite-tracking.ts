// Discord's side of referral invites (docs/economy.md section 6, docs/platforms.md): the REST calls
// that make an invite and list a server's invites with their use counts, and the member-join
// event that triggers the comparison. GUILD_MEMBER_ADD is sent only with the Server Members
// intent, which is privileged: it must be switched on in the developer portal (Bot tab), or
// Discord refuses the connection; hence DISCORD_INVITE_TRACKING, off by default.
import {
  type APIChannel,
  type APIExtendedInvite,
  type APIInvite,
  type Client,
  Events,
  type REST,
  Routes,
} from "discord.js";
import type { InviteGateway, ReferralInvites } from "#src/economy/ambassadors/referral-invites.ts";
import type { Logger } from "#src/log.ts";

export function discordInviteGateway(rest: REST): InviteGateway {
  return {
    async guildOf(channelId) {
      const channel = (await rest.get(Routes.channel(channelId))) as APIChannel & { guild_id?: string };
      return channel.guild_id;
    },
    async createInvite(channelId, reason) {
      // Never expires, no use limit; unique, so it is this ambassador's and no one else's.
      const invite = (await rest.post(Routes.channelInvites(channelId), {
        body: { max_age: 0, max_uses: 0, unique: true },
        reason,
      })) as APIInvite;
      if (!invite.guild) throw new Error(`Discord made invite ${invite.code} for no server`);
      return { code: invite.code, guildId: invite.guild.id };
    },
    async listInvites(guildId) {
      const invites = (await rest.get(Routes.guildInvites(guildId))) as APIExtendedInvite[];
      return invites.map((i) => ({ code: i.code, uses: i.uses }));
    },
  };
}

/** Compares invite counts on every member join; `onOutcome` sees each result (logs, tests). */
export function trackInviteJoins(
  client: Client,
  invites: ReferralInvites,
  log: Logger,
  onOutcome?: (outcome: Awaited<ReturnType<ReferralInvites["memberJoined"]>>) => void,
): void {
  client.on(Events.GuildMemberAdd, (member) => {
    if (member.user.bot) return;
    invites
      .memberJoined(member.guild.id, {
        platform: "discord",
        id: member.user.id,
        username: member.user.username,
        displayName: member.user.globalName ?? member.user.username,
      })
      .then((outcome) => {
        if (outcome.kind === "refused")
          log.info({ guildId: member.guild.id, reason: outcome.code }, "invite join not attributed");
        onOutcome?.(outcome);
      })
      .catch((error: unknown) =>
        log.warn({ err: error, guildId: member.guild.id }, "invite tracking failed"),
      );
  });
}
