// The vocabulary every command file uses: builders whose handlers see the bot's typed services,
// the request every service action starts from, and paging for lists.
import type { Actor, CommandContext } from "#src/core/context.ts";
import { commandBuilders } from "#src/core/spec.ts";
import type { Services } from "#src/services.ts";

export type Ctx = CommandContext<Services>;

export const { command, subcommand, commandGroup } = commandBuilders<Services>();

/**
 * What every service action is asked with: who asks, this event's idempotency key (a replay of
 * the event returns the first result) and the bot's time. Spread it first, then the action's own
 * fields: `staking.add({ ...requestOf(ctx), amountAtoms })`.
 */
export function requestOf(ctx: Ctx): { actor: Actor; key: string; now: Date } {
  return { actor: ctx.actor, key: ctx.key, now: ctx.now };
}

/** Rows a list page shows. */
export const PAGE_SIZE = 10;

/** What an empty page past the first says. */
export const NOTHING_FURTHER_BACK = "There is nothing further back.";

/**
 * The page of a list the member asked for (Previous/Next buttons set ctx.page): the rows to ask
 * the service for, and the reply's wording around them.
 */
export function paging(ctx: Ctx, size = PAGE_SIZE) {
  return {
    /** limit and offset for the service's list query. */
    window: { limit: size, offset: (ctx.page - 1) * size },
    /** An empty page: past the end of the list, or nothing at all yet. */
    empty: (nothingYet: string): string => (ctx.page > 1 ? NOTHING_FURTHER_BACK : nothingYet),
    /** The reply's title and page buttons for a list of `total` rows (one page at least). */
    of(total: number, title: string) {
      const pages = Math.max(1, Math.ceil(total / size));
      return { title: `${title} — page ${ctx.page} of ${pages}`, page: { current: ctx.page, total: pages } };
    },
  };
}
