// The ids Discord gave the registered slash commands, so a reply can mention a command as
// </name sub:id>, which Discord shows as a link that fills the command in. They are learned from
// every interaction (each carries its command's id) and, with a bot token, read once at start-up;
// until a command's id is known it is written as `/name`.
// https://discord.com/developers/docs/reference#message-formatting-formats
import { type REST, Routes } from "discord.js";
import type { Logger } from "#src/log.ts";

/** A command path as replies write it in code: "/name", "/name sub" or "/name group sub". */
const PATH = /^\/([a-z0-9_-]{1,32})((?: [a-z0-9_-]{1,32}){0,2})$/;

export class CommandIds {
  readonly #ids = new Map<string, string>();

  /** `isLeaf("admin credit")`: whether a path runs something (Discord mentions only those). */
  constructor(private readonly isLeaf: (path: string) => boolean) {}

  learn(name: string, id: string): void {
    this.#ids.set(name, id);
  }

  /** `</path:id>` for "/path" when it names a command whose id is known, else undefined. */
  mention(code: string): string | undefined {
    const match = PATH.exec(code);
    if (!match) return undefined;
    const path = code.slice(1);
    const id = this.#ids.get(match[1]!);
    return id && this.isLeaf(path) ? `</${path}:${id}>` : undefined;
  }

  /** Reads the ids of the commands registered globally (needs the bot token). Never throws. */
  async load(rest: REST, log: Logger): Promise<void> {
    try {
      const application = (await rest.get(Routes.currentApplication())) as { id: string };
      const commands = (await rest.get(Routes.applicationCommands(application.id))) as Array<{
        id: string;
        name: string;
      }>;
      for (const c of commands) this.learn(c.name, c.id);
    } catch (error) {
      log.warn(
        { err: error },
        "could not read the slash commands' ids; /help writes /name until each is used",
      );
    }
  }
}
