// A user's mistake is a value: a stable code (for tests, JSON output and translations) and a
// message that says what to do. Anything else that goes wrong is a bug, logged with an id.

export class UserError extends Error {
  override name = "UserError";
  constructor(
    /** Stable, snake_case: part of the bot's interface (JSON output, tests). */
    readonly code: string,
    message: string,
    /** Structured details for machine readers (the console's --json, tests). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const isUserError = (error: unknown): error is UserError => error instanceof UserError;

export const notFound = (what: string, hint: string) =>
  new UserError("not_found", `${what} was not found. ${hint}`);

export const forbidden = (message: string) => new UserError("forbidden", message);
