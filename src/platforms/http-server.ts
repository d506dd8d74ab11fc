// One HTTP server for the endpoints platforms call: Discord's interactions endpoint and Telegram's
// webhook (plus /healthz for a load balancer). It holds no state: any replica answers any request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "#src/log.ts";
import { loggable } from "./loggable.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | unknown;

export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #server: Server;

  constructor(private readonly log: Logger) {
    this.#server = createServer((req, res) => void this.serve(req, res));
  }

  /** Serves `path` (exact, without the query string) with `handler`. */
  route(path: string, handler: RouteHandler): this {
    this.#routes.set(path, handler);
    return this;
  }

  get paths(): string[] {
    return [...this.#routes.keys()];
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    const handler = this.#routes.get(path);
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    try {
      await handler(req, res);
    } catch (error) {
      this.log.error({ err: loggable(error), path }, "HTTP request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    }
  }
}

/** Reads a request body, refusing more than `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
