// How typed option values become members, channels and files: a member the platform identifies
// (Discord's user option, a Telegram reply) is met then and there; one named as @name or by
// mention must already be known here, except on the console, where the name is the member; a channel is named as #name or by mention; only the console
// (allowLocalFiles) may read a file:PATH from disk, no chat platform may.
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { CoreServices, Invocation } from "./dispatch.ts";
import { UserError } from "./errors.ts";
import type { OptionResolvers, RawAttachment, RawChannel, RawUser } from "./options.ts";
import type { ChannelRef, UserRef } from "./spec.ts";

export function optionResolvers(
  core: Pick<CoreServices, "identity" | "db" | "tokens">,
  origin: Pick<Invocation, "platform" | "allowLocalFiles">,
): OptionResolvers {
  const { identity, db, tokens } = core;
  const platform = origin.platform;
  return {
    tokens,
    db: db.prisma,
    async resolveUser(raw: RawUser | string): Promise<UserRef> {
      if (typeof raw === "object" && raw.platformUserId) {
        return identity.ensureUser({
          platform,
          id: raw.platformUserId,
          ...(raw.username ? { username: raw.username } : {}),
          displayName: raw.displayName ?? raw.username ?? raw.platformUserId,
        });
      }
      const typed = (typeof raw === "string" ? raw : (raw.username ?? "")).trim();
      const mention = /^<@!?(\d+)>$/.exec(typed);
      const name = mention ? mention[1]! : typed.replace(/^@/, "");
      if (!name) throw new UserError("unknown_user", "Name a member as @name.");
      const found =
        (await identity.findByUsername(db.prisma, platform, name)) ??
        (/^\d+$/.test(name) ? await identity.findByPlatformId(db.prisma, platform, name) : undefined);
      if (found) return found;
      // On the console a name is the member: a moderator can name one who has not typed yet.
      if (platform === "console" && /^[a-z0-9_.-]{1,32}$/i.test(name))
        return identity.ensureUser({
          platform,
          id: name.toLowerCase(),
          username: name.toLowerCase(),
          displayName: name,
        });
      throw new UserError(
        "unknown_user",
        platform === "telegram"
          ? `There is no member @${name} here yet: Telegram does not tell bots who a @name is. Send the command as a reply to one of their messages (and leave the user out), or ask them to use the bot once (e.g. /help).`
          : `There is no member @${name} here yet. They need to use the bot once (any command, e.g. /help) before they can be named.`,
        { user: name },
      );
    },
    async resolveChannel(raw: RawChannel | string): Promise<ChannelRef> {
      if (typeof raw === "object") return { platform, id: raw.id, ...(raw.name ? { name: raw.name } : {}) };
      const text = raw.trim();
      const mention = /^<#(\d+)>$/.exec(text);
      const id = mention ? mention[1]! : text.replace(/^#/, "");
      if (!id) throw new UserError("invalid_option", "Name a channel, e.g. #general.");
      return { platform, id, name: text };
    },
    async resolveAttachment(raw: RawAttachment | string): Promise<RawAttachment> {
      if (typeof raw === "object") return raw;
      if (!origin.allowLocalFiles || !raw.startsWith("file:")) {
        throw new UserError("invalid_option", "Attach the file to your message.");
      }
      const path = raw.slice("file:".length);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) throw new UserError("invalid_option", `There is no file at ${path}.`);
      return {
        kind: "attachment",
        name: basename(path),
        sizeBytes: info.size,
        read: async () => new Uint8Array(await readFile(path)),
      };
    },
  };
}
