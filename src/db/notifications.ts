// Hearing what other replicas changed: PostgreSQL's LISTEN on a connection of its own (outside the
// pool: a pooled connection is shared, and LISTEN belongs to one session). NOTIFY is delivered only
// when the sending transaction commits, so a listener never hears of a change that did not happen.
import pg from "pg";

export interface NotificationHandlers {
  /** A notification on the channel: its payload. */
  message(payload: string): void;
  /**
   * LISTEN is in force: from now on every committed NOTIFY on the channel reaches `message`. Called
   * again after each reconnection; anything committed while it was lost was not heard.
   */
  listening(): void;
  /** The connection is lost: notifications may be missed until `listening` is called again. */
  lost(): void;
}

export interface Subscription {
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1000;

/** Listens on `channel` of the database at `url`, reconnecting (every second) while it is open. */
export function listenPostgres(url: string, channel: string, handlers: NotificationHandlers): Subscription {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const drop = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = undefined;
    handlers.lost();
    lostClient.end().catch(() => {});
    if (!closed) retry = setTimeout(connect, RECONNECT_DELAY_MS);
  };

  async function connect(): Promise<void> {
    retry = undefined;
    const next = new pg.Client({ connectionString: url });
    client = next;
    next.on("notification", (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? "");
    });
    next.on("error", () => drop(next));
    next.on("end", () => drop(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (client === next && !closed) handlers.listening();
    } catch {
      drop(next);
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      if (last) {
        handlers.lost();
        await last.end().catch(() => {});
      }
    },
  };
}
