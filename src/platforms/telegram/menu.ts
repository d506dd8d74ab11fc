// The command menu Telegram shows beside the text field, set per scope with setMyCommands: members
// see the commands everyone may run (in private chats and groups); group administrators and the
// configured moderators (in their private chat with the bot) also see the moderator commands.
// https://core.telegram.org/bots/api#setmycommands

import type { Api } from "grammy";
import type { BotCommand, BotCommandScope } from "grammy/types";
import { type CommandSpec, leavesOf } from "#src/core/spec.ts";
import { truncate } from "../text-split.ts";
import { apiSignal } from "./startup.ts";

export const TELEGRAM_MENU_LIMITS = { commands: 100, name: 32, description: 256 } as const;
const NAME = /^[a-z0-9_]{1,32}$/;

export interface TelegramMenu {
  scope: BotCommandScope;
  commands: BotCommand[];
}

function entry(command: CommandSpec<unknown>): BotCommand {
  return {
    command: command.name,
    description: truncate(command.description, TELEGRAM_MENU_LIMITS.description),
  };
}

export function telegramMenus(
  commands: Iterable<CommandSpec<unknown>>,
  moderatorChatIds: readonly string[] = [],
): TelegramMenu[] {
  const all = [...commands];
  const forEveryone = all.filter((c) => leavesOf(c).some((l) => l.access === "everyone")).map(entry);
  const forModerators = all.map(entry);
  return [
    { scope: { type: "default" }, commands: forEveryone },
    { scope: { type: "all_private_chats" }, commands: forEveryone },
    { scope: { type: "all_group_chats" }, commands: forEveryone },
    { scope: { type: "all_chat_administrators" }, commands: forModerators },
    ...moderatorChatIds.map((id) => ({
      scope: { type: "chat" as const, chat_id: Number(id) },
      commands: forModerators,
    })),
  ];
}

/** Every way the menus break Telegram's rules; empty when setMyCommands will accept them. */
export function telegramMenuProblems(menus: readonly TelegramMenu[]): string[] {
  const problems: string[] = [];
  for (const menu of menus) {
    const where = `menu ${menu.scope.type}`;
    if (menu.commands.length > TELEGRAM_MENU_LIMITS.commands)
      problems.push(
        `${where}: ${menu.commands.length} commands; Telegram shows at most ${TELEGRAM_MENU_LIMITS.commands}`,
      );
    const seen = new Set<string>();
    for (const c of menu.commands) {
      if (!NAME.test(c.command))
        problems.push(
          `${where}: /${c.command} must be 1-32 characters of lowercase a-z, 0-9 and _ (rename it)`,
        );
      if (seen.has(c.command)) problems.push(`${where}: /${c.command} is listed twice`);
      seen.add(c.command);
      if (c.description.trim().length === 0 || c.description.length > TELEGRAM_MENU_LIMITS.description)
        problems.push(
          `${where}: /${c.command} needs a description of 1-${TELEGRAM_MENU_LIMITS.description} characters`,
        );
    }
  }
  return problems;
}

export async function setTelegramMenus(
  api: Api,
  menus: readonly TelegramMenu[],
  signal?: AbortSignal,
): Promise<void> {
  const problems = telegramMenuProblems(menus);
  if (problems.length > 0)
    throw new Error(`The Telegram command menu is not valid:\n  - ${problems.join("\n  - ")}`);
  for (const menu of menus) await api.setMyCommands(menu.commands, { scope: menu.scope }, apiSignal(signal));
}
