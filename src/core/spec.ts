// A command is plain, typed data (name, description, options, who may run it) plus a handler that
// returns a platform-neutral Reply. Discord, Telegram and the console are all rendered from these
// specs; the handler's argument types are inferred from the options (after Yuudachi).
import type { Decimal } from "decimal.js";
import type { TokenInfo } from "#src/ledger/amount.ts";
import type { CommandContext } from "./context.ts";
import type { Reply } from "./reply.ts";

export interface Choice<V extends string | number> {
  readonly name: string;
  readonly value: V;
}

/** Suggestions while the user types (Discord autocomplete, console completion). */
export type AutocompleteSource<S = unknown> = (
  ctx: CommandContext<S>,
  partial: string,
) => Promise<ReadonlyArray<Choice<string | number>>>;

interface OptionBase {
  readonly description: string;
  readonly required?: boolean;
}

/** An option the member may pick from fixed choices, or type with suggestions. */
interface ChoosableOptionBase<T extends string | number> extends OptionBase {
  readonly choices?: ReadonlyArray<Choice<T>>;
  readonly autocomplete?: AutocompleteSource<never>;
}

export interface StringOptionSpec extends ChoosableOptionBase<string> {
  readonly type: "string";
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface IntegerOptionSpec extends ChoosableOptionBase<number> {
  readonly type: "integer";
  readonly minValue?: number;
  readonly maxValue?: number;
}

/** An exact decimal (a score, a rate), parsed into decimal.js; never a float. */
export interface DecimalOptionSpec extends OptionBase {
  readonly type: "decimal";
  readonly minValue?: string;
  readonly maxValue?: string;
}

export interface BooleanOptionSpec extends OptionBase {
  readonly type: "boolean";
}

/** A human amount of money as typed ("1,000.5"); the handler parses it once it knows the token. */
export interface AmountOptionSpec extends OptionBase {
  readonly type: "amount";
}

/** A token symbol from the registry. */
export interface TokenOptionSpec extends OptionBase {
  readonly type: "token";
}

/** Another member, resolved to an internal user. */
export interface UserOptionSpec extends OptionBase {
  readonly type: "user";
}

/** A file the user sends with the command. */
export interface AttachmentOptionSpec extends OptionBase {
  readonly type: "attachment";
  /** Larger files are refused before they are downloaded. */
  readonly maxBytes: number;
}

/** A channel or chat to post in. */
export interface ChannelOptionSpec extends OptionBase {
  readonly type: "channel";
}

export type OptionSpec =
  | StringOptionSpec
  | IntegerOptionSpec
  | DecimalOptionSpec
  | BooleanOptionSpec
  | AmountOptionSpec
  | TokenOptionSpec
  | UserOptionSpec
  | AttachmentOptionSpec
  | ChannelOptionSpec;

export type Options = Readonly<Record<string, OptionSpec>>;

export interface UserRef {
  userId: number;
  displayName: string;
}

export interface ChannelRef {
  platform: string;
  id: string;
  name?: string;
}

export interface Attachment {
  name: string;
  sizeBytes: number;
  contentType?: string;
  /** Downloads (or reads) the content; refuses anything over the option's maxBytes. */
  read(): Promise<Uint8Array>;
}

export type OptionValue<O extends OptionSpec> = O extends StringOptionSpec
  ? O["choices"] extends ReadonlyArray<Choice<infer V>>
    ? V
    : string
  : O extends IntegerOptionSpec
    ? number
    : O extends DecimalOptionSpec
      ? Decimal
      : O extends BooleanOptionSpec
        ? boolean
        : O extends AmountOptionSpec
          ? string
          : O extends TokenOptionSpec
            ? TokenInfo
            : O extends UserOptionSpec
              ? UserRef
              : O extends AttachmentOptionSpec
                ? Attachment
                : O extends ChannelOptionSpec
                  ? ChannelRef
                  : never;

type RequiredKeys<O extends Options> = { [K in keyof O]: O[K]["required"] extends true ? K : never }[keyof O];
type OptionalKeys<O extends Options> = Exclude<keyof O, RequiredKeys<O>>;

/** The handler's arguments: required options are present, the others may be undefined. */
export type ArgsOf<O extends Options> = { -readonly [K in RequiredKeys<O>]: OptionValue<O[K]> } & {
  -readonly [K in OptionalKeys<O>]?: OptionValue<O[K]>;
};

/** Who may run a command: everyone, or the bot's moderators (checked again by the services). */
export type Access = "everyone" | "moderator";

export type Handler<S, O extends Options> = (
  ctx: CommandContext<S>,
  args: ArgsOf<O>,
) => Promise<Reply> | Reply;

/** One runnable command or subcommand. */
export interface LeafSpec<S = unknown, O extends Options = Options> {
  readonly description: string;
  readonly options?: O;
  readonly access?: Access;
  /** The reply shows personal data (balances, payouts, wallets): ephemeral or in a private chat. */
  readonly personal?: boolean;
  /**
   * Answered to the member alone where the platform can (ephemeral on Discord), though nothing in it
   * is private: unlike personal, Telegram answers it in the chat it was asked in (/help).
   */
  readonly ephemeral?: boolean;
  /**
   * The string option that takes the words typed after a command that has no subcommands, so
   * `/help submit` reads as `/help command:submit` on the console and Telegram.
   */
  readonly words?: string;
  /**
   * Irreversible actions: this preview is shown first with Confirm and Cancel buttons, and the
   * handler runs only on Confirm (with the same options).
   */
  readonly confirm?: Handler<S, O>;
  readonly handler: Handler<S, O>;
}

/** A leaf whose options are not known here (stored in maps); each is typed where it is defined. */
// biome-ignore lint/suspicious/noExplicitAny: options differ per leaf; handlers are typed at definition.
export type AnyLeafSpec<S = unknown> = LeafSpec<S, any>;

type NoOptions = Record<never, never>;

export interface GroupSpec<S = unknown> {
  readonly description: string;
  readonly subcommands: Readonly<Record<string, AnyLeafSpec<S>>>;
}

export interface CommandSpec<S = unknown> {
  readonly name: string;
  readonly description: string;
  /** The default access of its subcommands; a leaf may narrow it. */
  readonly access?: Access;
  /** Set for a command that runs by itself... */
  readonly leaf?: AnyLeafSpec<S>;
  /** ...or for one with subcommands (e.g. /admin credit) and groups of them (/arena task create). */
  readonly subcommands?: Readonly<Record<string, AnyLeafSpec<S>>>;
  readonly groups?: Readonly<Record<string, GroupSpec<S>>>;
  /** Shown in /help under this heading. */
  readonly category?: string;
}

/** Builders bound to a service type, so handlers see typed services. */
export function commandBuilders<S>() {
  return {
    /** A command without subcommands. */
    command<const O extends Options = NoOptions>(
      def: { name: string; category?: string } & LeafSpec<S, O>,
    ): CommandSpec<S> {
      const { name, category, ...leaf } = def;
      return {
        name,
        description: leaf.description,
        access: leaf.access,
        category,
        leaf: leaf as unknown as AnyLeafSpec<S>,
      };
    },
    /** One subcommand of a command with subcommands. */
    subcommand<const O extends Options = NoOptions>(def: LeafSpec<S, O>): AnyLeafSpec<S> {
      return def as unknown as AnyLeafSpec<S>;
    },
    /** A command made of subcommands (and optionally groups of subcommands). */
    commandGroup(def: {
      name: string;
      description: string;
      access?: Access;
      category?: string;
      subcommands?: Record<string, AnyLeafSpec<S>>;
      groups?: Record<string, GroupSpec<S>>;
    }): CommandSpec<S> {
      return def;
    },
  };
}

/** A command path and the leaf it names, with the access that applies to it. */
export interface ResolvedLeaf<S = unknown> {
  path: string[];
  leaf: AnyLeafSpec<S>;
  access: Access;
  command: CommandSpec<S>;
}

/** Every leaf of a command, with its full path ("admin credit", "arena task create"). */
export function leavesOf<S>(command: CommandSpec<S>): ResolvedLeaf<S>[] {
  const out: ResolvedLeaf<S>[] = [];
  const accessOf = (leaf: AnyLeafSpec<S>) => leaf.access ?? command.access ?? "everyone";
  if (command.leaf)
    out.push({ path: [command.name], leaf: command.leaf, access: accessOf(command.leaf), command });
  for (const [name, leaf] of Object.entries(command.subcommands ?? {})) {
    out.push({ path: [command.name, name], leaf, access: accessOf(leaf), command });
  }
  for (const [groupName, group] of Object.entries(command.groups ?? {})) {
    for (const [name, leaf] of Object.entries(group.subcommands)) {
      out.push({ path: [command.name, groupName, name], leaf, access: accessOf(leaf), command });
    }
  }
  return out;
}
