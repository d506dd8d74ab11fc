// The one pipeline every command goes through, whatever the platform:
//   find the command -> who is asking -> may they -> parse the options -> (confirm first?) ->
//   run the handler with the event's idempotency key -> translate errors (dispatch-errors.ts).
// User mistakes become messages with stable codes; bugs are logged with an id the user can quote.
import type { Platform } from "#src/config.ts";
import type { Database, TxClient } from "#src/db/database.ts";
import type { TokenRegistry } from "#src/ledger/tokens.ts";
import type { Logger } from "#src/log.ts";
import { closedConfirmation, type PendingActions, type StoredAction } from "./actions.ts";
import type { Clock } from "./clock.ts";
import type { Actor, CommandContext, PlatformUser } from "./context.ts";
import { resultOfError, withRedactedUrls } from "./dispatch-errors.ts";
import { UserError } from "./errors.ts";
import { optionResolvers } from "./option-resolvers.ts";
import { parseOptions, type RawOptionValue } from "./options.ts";
import type { CommandRegistry } from "./registry.ts";
import type { Button, Reply } from "./reply.ts";
import { cleanText } from "./safe-text.ts";
import type { ChannelRef, Choice, ResolvedLeaf, UserRef } from "./spec.ts";

/** What the dispatcher needs to know about people. */
export interface IdentityPort {
  ensureUser(who: PlatformUser): Promise<UserRef>;
  /** The user behind the account (created on first contact) and whether they are a moderator. */
  actorOf(who: PlatformUser): Promise<UserRef & { isModerator: boolean }>;
  findByPlatformId(db: TxClient, platform: Platform, platformUserId: string): Promise<UserRef | undefined>;
  findByUsername(db: TxClient, platform: Platform, username: string): Promise<UserRef | undefined>;
}

export interface CoreServices {
  db: Database;
  clock: Clock;
  tokens: TokenRegistry;
  identity: IdentityPort;
  actions: PendingActions;
  log: Logger;
  /** How often a member may run each command on the chat platforms (absent: no limits). */
  rateLimits?: { check(userId: number, path: readonly string[]): Promise<void> };
}

/** One incoming command, as any platform delivers it. */
export interface Invocation {
  platform: Platform;
  /** Unique per event on its platform: the idempotency key (with the platform name). */
  eventId: string;
  user: PlatformUser;
  path: string[];
  options: Record<string, RawOptionValue>;
  channel?: ChannelRef;
  isPrivateChat?: boolean;
  locale?: string;
  /** The console may read `file:PATH` options from disk; no chat platform may. */
  allowLocalFiles?: boolean;
  /** Fetches the member's picture (the front end knows where it is), for their profile card. */
  avatar?: () => Promise<Uint8Array | undefined>;
}

export interface ButtonPress {
  platform: Platform;
  eventId: string;
  user: PlatformUser;
  buttonId: string;
  channel?: ChannelRef;
  isPrivateChat?: boolean;
  locale?: string;
}

export interface DispatchResult {
  ok: boolean;
  /** "ok", "confirmation_required", a UserError code, or "internal". */
  code: string;
  reply: Reply;
  /** For internal errors: the id logged with the stack trace. */
  errorId?: string;
  /** The command path that ran, when one was found. */
  path?: string[];
}

/** Told of every command and button press once it has its answer (the metrics count them). */
export type DispatchListener = (event: {
  platform: Platform;
  /** The command path joined by spaces, or "unknown" when none was found. */
  command: string;
  /** The result's code: "ok", a UserError code, "internal"… */
  code: string;
  /** From the event reaching the dispatcher to its answer being ready. */
  seconds: number;
}) => void;

interface RunRequest {
  resolved: ResolvedLeaf<unknown>;
  actor: Actor;
  rawOptions: Record<string, RawOptionValue>;
  key: string;
  page: number;
  confirmed: boolean;
  origin: Omit<Invocation, "path" | "options" | "eventId" | "user">;
}

export class Dispatcher<S> {
  readonly #listeners: DispatchListener[] = [];
  /** Commands and presses being run now, so a shutdown can wait for them (idle()). */
  readonly #running = new Set<Promise<unknown>>();

  constructor(
    private readonly registry: CommandRegistry<S>,
    private readonly services: S,
    private readonly core: CoreServices,
  ) {}

  get commands(): CommandRegistry<S> {
    return this.registry;
  }

  /** Calls `listener` after every dispatch and button press. */
  onDispatched(listener: DispatchListener): void {
    this.#listeners.push(listener);
  }

  /** Runs a command. Never throws: every outcome is a DispatchResult. */
  async dispatch(invocation: Invocation): Promise<DispatchResult> {
    const started = performance.now();
    const result = withRedactedUrls(await this.#track(this.dispatchCommand(invocation)));
    this.#tell(invocation.platform, result, started);
    return result;
  }

  /** Resolves once no command or button press is being run (shutdown waits for this). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work)).catch(() => {});
    return work;
  }

  #tell(platform: Platform, result: DispatchResult, started: number): void {
    if (this.#listeners.length === 0) return;
    const event = {
      platform,
      command: result.path?.join(" ") ?? "unknown",
      code: result.code,
      seconds: (performance.now() - started) / 1000,
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.core.log.warn({ err: error }, "a dispatch listener failed");
      }
    }
  }

  private async dispatchCommand(typed: Invocation): Promise<DispatchResult> {
    let path: string[] | undefined;
    try {
      const invocation = this.wordsAsOption(typed);
      const resolved = this.registry.resolve(invocation.path) as ResolvedLeaf<unknown>;
      path = resolved.path;
      const actor = await this.actorFor(invocation.user);
      return await this.run({
        resolved,
        actor,
        rawOptions: invocation.options,
        key: `${invocation.platform}:${invocation.eventId}`,
        page: 1,
        confirmed: false,
        origin: invocation,
      });
    } catch (error) {
      return resultOfError(error, path, typed.platform, this.core.log);
    }
  }

  /**
   * `/help submit`: words after a command without subcommands fill the option its spec names in
   * `words` (when that option was not given too); anything else is left for resolve to refuse.
   */
  private wordsAsOption(invocation: Invocation): Invocation {
    const [name, ...rest] = invocation.path;
    if (rest.length === 0 || name === undefined) return invocation;
    const leaf = this.registry.get(name)?.leaf;
    const option = leaf?.words;
    if (!option || invocation.options[option] !== undefined) return invocation;
    return { ...invocation, path: [name], options: { ...invocation.options, [option]: rest.join(" ") } };
  }

  /** Handles a button press: cf:<id> confirms, cx:<id> cancels, pg:<id>:<n> turns a page. */
  async press(press: ButtonPress): Promise<DispatchResult> {
    const started = performance.now();
    const result = withRedactedUrls(await this.#track(this.pressButton(press)));
    this.#tell(press.platform, result, started);
    return result;
  }

  private async pressButton(press: ButtonPress): Promise<DispatchResult> {
    let path: string[] | undefined;
    try {
      const match = /^(cf|cx|pg):([a-z0-9]{4,32})(?::(\d{1,5}))?$/.exec(press.buttonId);
      if (!match)
        throw new UserError("unknown_button", "This button is no longer valid. Run the command again.");
      const [, verb, id, pageText] = match;
      const actor = await this.actorFor(press.user);
      const action = await this.core.actions.get(this.core.db.prisma, id!);
      if (!action)
        throw new UserError("unknown_button", "This button is no longer valid. Run the command again.");
      if (action.userId !== actor.userId) {
        throw new UserError(
          "not_your_button",
          "This button belongs to someone else's command. Run the command yourself.",
        );
      }
      path = action.path;
      // Confirm and Cancel answer a confirmation only (never a page or a draft with the same id).
      if (verb !== "pg" && action.kind !== "confirm")
        throw new UserError("unknown_button", "This button is no longer valid. Run the command again.");
      const resolved = this.registry.resolve(action.path) as ResolvedLeaf<unknown>;
      if (verb === "cx") return await this.cancel(action);
      const origin = {
        platform: press.platform,
        channel: press.channel,
        isPrivateChat: press.isPrivateChat,
        locale: press.locale,
      };
      if (verb === "pg") {
        return await this.run({
          resolved,
          actor,
          rawOptions: action.options,
          key: `${press.platform}:${press.eventId}`,
          page: Number(pageText ?? 1),
          confirmed: false,
          origin,
        });
      }
      // One press claims the preview, so it acts once: a second press (or a second device) finds it
      // no longer open. The action's id stays the idempotency key behind that.
      const { actions, db, clock } = this.core;
      if (!(await actions.claim(db.prisma, action.id, clock.now()))) {
        const now = await actions.get(db.prisma, action.id);
        throw closedConfirmation(now ?? action, clock.now());
      }
      try {
        return await this.run({
          resolved,
          actor,
          rawOptions: action.options,
          key: `confirm:${action.id}`,
          page: 1,
          confirmed: true,
          origin,
        });
      } catch (error) {
        // A refused confirmation ends its preview: it must not go through later, when the member
        // has forgotten it (e.g. once money arrives).
        await actions.fail(db.prisma, action.id, clock.now());
        throw error;
      }
    } catch (error) {
      return resultOfError(error, path, press.platform, this.core.log);
    }
  }

  /** The console's /confirm and /cancel: the user's latest open confirmation. */
  async latestConfirmation(user: PlatformUser): Promise<StoredAction | undefined> {
    const actor = await this.actorFor(user);
    return this.core.actions.latestOpen(this.core.db.prisma, actor.userId, this.core.clock.now());
  }

  /** Suggestions for an option being typed; empty on any error (autocomplete must not fail). */
  async autocomplete(
    invocation: Invocation,
    option: string,
    partial: string,
  ): Promise<Array<Choice<string | number>>> {
    try {
      const resolved = this.registry.resolve(invocation.path) as ResolvedLeaf<unknown>;
      const spec = resolved.leaf.options?.[option];
      if (spec?.type === "token") {
        // Every token option suggests the registry's symbols (it can grow without redeploying).
        const typed = partial.trim().toUpperCase();
        return this.core.tokens
          .symbols()
          .filter((symbol) => symbol.startsWith(typed))
          .slice(0, 25)
          .map((symbol) => ({ name: symbol, value: symbol }));
      }
      if (!spec || !("autocomplete" in spec) || !spec.autocomplete) return [];
      const actor = await this.actorFor(invocation.user);
      const ctx = this.context(
        resolved,
        actor,
        `${invocation.platform}:${invocation.eventId}`,
        1,
        invocation,
      );
      const choices = await (
        spec.autocomplete as (
          ctx: CommandContext<S>,
          partial: string,
        ) => Promise<Array<Choice<string | number>>>
      )(ctx, partial);
      return choices.slice(0, 25);
    } catch (error) {
      this.core.log.warn({ err: error, path: invocation.path }, "autocomplete failed");
      return [];
    }
  }

  private async actorFor(user: PlatformUser): Promise<Actor> {
    // The platform names the user; a NUL or half an emoji in a display name must not lock them out.
    const ref = await this.core.identity.actorOf({
      ...user,
      displayName: cleanText(user.displayName),
      ...(user.username === undefined ? {} : { username: cleanText(user.username) }),
    });
    return {
      userId: ref.userId,
      displayName: ref.displayName,
      isModerator: ref.isModerator,
      platform: user.platform,
      platformUserId: user.id,
    };
  }

  private context(
    resolved: ResolvedLeaf<unknown>,
    actor: Actor,
    key: string,
    page: number,
    origin: RunRequest["origin"],
  ): CommandContext<S> {
    return {
      actor,
      key,
      services: this.services,
      now: this.core.clock.now(),
      platform: origin.platform,
      ...(origin.channel ? { channel: origin.channel } : {}),
      isPrivateChat: origin.isPrivateChat ?? true,
      locale: origin.locale ?? "en",
      page,
      log: this.core.log,
      path: resolved.path,
      ...(origin.avatar ? { avatar: origin.avatar } : {}),
    };
  }

  private async run(request: RunRequest): Promise<DispatchResult> {
    const { resolved, actor } = request;
    if (resolved.access === "moderator" && !actor.isModerator) {
      throw new UserError("forbidden", `Only moderators can use /${resolved.path.join(" ")}.`);
    }
    // A Confirm press is the same request as its preview, counted once; the console is the
    // operator's own terminal (scripts run hundreds of commands), so only the chats are limited.
    if (!request.confirmed && request.origin.platform !== "console")
      await this.core.rateLimits?.check(actor.userId, resolved.path);
    const args = (await parseOptions(
      resolved.leaf.options,
      request.rawOptions,
      optionResolvers(this.core, request.origin),
    )) as never;
    const ctx = this.context(resolved, actor, request.key, request.page, request.origin);
    let reply: Reply;
    let code = "ok";
    if (resolved.leaf.confirm && !request.confirmed) {
      // Asking again replaces whatever waited for confirmation, even if this preview is refused: a
      // Confirm (or the console's /confirm) only ever answers the member's latest request.
      await this.core.actions.endOpenConfirmations(this.core.db.prisma, actor.userId, "superseded", ctx.now);
      const preview = await resolved.leaf.confirm(ctx as CommandContext<unknown>, args);
      const action = await this.core.actions.create(
        this.core.db.prisma,
        {
          userId: actor.userId,
          kind: "confirm",
          path: resolved.path,
          options: storable(request.rawOptions),
          platform: request.origin.platform,
        },
        ctx.now,
      );
      reply = {
        ...preview,
        buttons: [
          ...(preview.buttons ?? []),
          { id: `cf:${action.id}`, label: "Confirm", style: "success" },
          { id: `cx:${action.id}`, label: "Cancel", style: "secondary" },
        ],
      };
      code = "confirmation_required";
    } else {
      reply = await resolved.leaf.handler(ctx as CommandContext<unknown>, args);
    }
    if (resolved.leaf.personal) reply = { ...reply, personal: true };
    if (reply.page && reply.page.total > 1) reply = await this.withPageButtons(reply, request);
    return { ok: true, code, reply, path: resolved.path };
  }

  private async withPageButtons(reply: Reply, request: RunRequest): Promise<Reply> {
    const { current, total } = reply.page!;
    const action = await this.core.actions.create(
      this.core.db.prisma,
      {
        userId: request.actor.userId,
        kind: "page",
        path: request.resolved.path,
        options: storable(request.rawOptions),
        platform: request.origin.platform,
      },
      this.core.clock.now(),
    );
    const buttons: Button[] = [];
    if (current > 1)
      buttons.push({ id: `pg:${action.id}:${current - 1}`, label: "◀ Previous", style: "secondary" });
    if (current < total)
      buttons.push({ id: `pg:${action.id}:${current + 1}`, label: "Next ▶", style: "secondary" });
    return { ...reply, buttons: [...(reply.buttons ?? []), ...buttons] };
  }

  /** Cancels an open preview, and with it any older one still open; an ended one stays as it ended. */
  private async cancel(action: StoredAction): Promise<DispatchResult> {
    const { actions, db, clock } = this.core;
    if (!(await actions.resolve(db.prisma, action.id, "cancelled", clock.now()))) {
      const now = await actions.get(db.prisma, action.id);
      throw closedConfirmation(now ?? action, clock.now());
    }
    await actions.endOpenConfirmations(db.prisma, action.userId, "cancelled", clock.now());
    return {
      ok: true,
      code: "cancelled",
      reply: { text: "Cancelled. Nothing was changed.", tone: "info" },
      path: action.path,
    };
  }
}

/** Options kept for a later button press: files cannot be kept, everything else is plain data. */
function storable(options: Record<string, RawOptionValue>): Record<string, RawOptionValue> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => typeof value !== "object" || value.kind !== "attachment"),
  );
}
