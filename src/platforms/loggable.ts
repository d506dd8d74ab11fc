// What of a platform library's error goes into the logs. discord.js and grammY errors carry the
// request they failed on (URLs with interaction tokens, request bodies with members' data); their
// name, message and status say enough. Anything else (a bug) is logged whole, with its stack.
//
// Each platform's module registers how to shorten its library's errors (discord/errors.ts,
// telegram/errors.ts), so this file loads neither library: a bot running one platform (or only the
// console) does not pay for the other's modules. A library's error can only come from code that
// imported that platform's module, so its describer is registered by then.

/** The short form of `error`, or undefined when it is not this library's. */
export type ErrorDescriber = (error: unknown) => Record<string, unknown> | undefined;

const describers: ErrorDescriber[] = [];

export function registerLoggableErrors(describe: ErrorDescriber): void {
  if (!describers.includes(describe)) describers.push(describe);
}

export function loggable(error: unknown): unknown {
  for (const describe of describers) {
    const short = describe(error);
    if (short) return short;
  }
  return error;
}
