// A value that must never be printed: logged, echoed in an error, serialized with the config or
// shown in a chat. It reads as "[redacted]" every way Node can turn it into text; the value itself
// comes out only through reveal(), at the one place that needs it.
import { inspect } from "node:util";

const REDACTED = "[redacted]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
