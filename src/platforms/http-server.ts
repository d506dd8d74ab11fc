// One HTTP server for the endpoints platforms call: Discord's interactions endpoint and Telegram's
// webhook, plus /healthz (alive) and /readyz (send traffic here) for a load balancer, and /metrics
// when a token guards it. It holds no state: any replica answers any request. On shutdown it
// drains: new platform requests get 503 (the platform retries them elsewhere), /readyz says 503,
// and the requests under way are finished before it closes.
// Only Discord and Telegram should call it, with small requests answered in seconds, so a client
// that sends slowly or sits idle is cut off quickly instead of holding a socket for minutes.
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "#src/log.ts";
import { checkReadiness, type ReadinessCheck } from "#src/ops/readiness.ts";
import { loggable } from "./loggable.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | unknown;

export interface HttpLimits {
  /** Time to receive a request's headers (Node's default is 60 s). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (Node's default is 5 minutes). */
  requestTimeoutMs: number;
  /** How long an idle kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for connections past those timeouts (its default, 30 s, would let them run over). */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/** A request body larger than this is refused (413) by readBody's callers unless they ask for less. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What the server reports about itself, for the metrics. */
export interface HttpObserver {
  /** A route's request was answered (the platform acknowledged), `seconds` after it arrived. */
  answered?(path: string, status: number, seconds: number): void;
  /** A route's handler threw. */
  failed?(path: string): void;
  /** A request was refused with 503 while draining. */
  refusedDraining?(path: string): void;
}

/** GET /metrics: the exposition, and the bearer token it needs (none on a private listener). */
export interface MetricsEndpoint {
  token: string | undefined;
  render(): Promise<{ contentType: string; body: string }>;
}

export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #server: Server;
  readonly #readiness: Record<string, ReadinessCheck> = {};
  #metrics: MetricsEndpoint | undefined;
  #observer: HttpObserver = {};
  #draining = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(
    private readonly log: Logger,
    limits: Partial<HttpLimits> = {},
  ) {
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, checkIntervalMs } = {
      ...DEFAULT_HTTP_LIMITS,
      ...limits,
    };
    this.#server = createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        keepAliveTimeout: keepAliveTimeoutMs,
        connectionsCheckingInterval: checkIntervalMs,
      },
      (req, res) => void this.serve(req, res),
    );
    // A socket with nothing moving (not even a response being written) is closed as well.
    this.#server.setTimeout(requestTimeoutMs);
  }

  /** Serves `path` (exact, without the query string) with `handler`. */
  route(path: string, handler: RouteHandler): this {
    this.#routes.set(path, handler);
    return this;
  }

  get paths(): string[] {
    return [...this.#routes.keys()];
  }

  /** Adds what /readyz checks (the database, each platform). */
  readiness(checks: Record<string, ReadinessCheck>): this {
    Object.assign(this.#readiness, checks);
    return this;
  }

  /** Serves GET /metrics to callers with the token. */
  metrics(endpoint: MetricsEndpoint): this {
    this.#metrics = endpoint;
    return this;
  }

  observe(observer: HttpObserver): this {
    this.#observer = observer;
    return this;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Stops taking platform requests (503 with Retry-After, so Discord and Telegram try again, and
   * a load balancer another replica) and fails /readyz; resolves once the requests under way
   * have been answered.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
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
    if (path === "/readyz") return this.ready(res);
    if (path === "/metrics" && this.#metrics) return this.serveMetrics(req, res, this.#metrics);
    const handler = this.#routes.get(path);
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    if (this.#draining) {
      this.#observer.refusedDraining?.(path);
      res
        .writeHead(503, { "content-type": "text/plain", "retry-after": "1", connection: "close" })
        .end("shutting down; try another replica");
      return;
    }
    const started = performance.now();
    this.#inFlight++;
    res.once("finish", () =>
      this.#observer.answered?.(path, res.statusCode, (performance.now() - started) / 1000),
    );
    try {
      await handler(req, res);
    } catch (error) {
      this.#observer.failed?.(path);
      // A caller that hung up (or was cut off by a timeout) before its request was read is not a
      // fault of the bot: nothing to answer, nothing to fix.
      if (clientAborted(req, error)) {
        this.log.info({ path, reason: (error as Error).message }, "HTTP client aborted the request");
        return;
      }
      this.log.error({ err: loggable(error), path }, "HTTP request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  private async ready(res: ServerResponse): Promise<void> {
    const report = this.#draining
      ? { ready: false, checks: { shutdown: "draining" } }
      : await checkReadiness(this.#readiness);
    res
      .writeHead(report.ready ? 200 : 503, { "content-type": "application/json" })
      .end(JSON.stringify(report));
  }

  private async serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: MetricsEndpoint) {
    if (metrics.token !== undefined && !bearerMatches(req.headers.authorization, metrics.token)) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end("unauthorized");
      return;
    }
    try {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { "content-type": contentType }).end(body);
    } catch (error) {
      this.log.error({ err: loggable(error) }, "could not render the metrics");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error");
    }
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function clientAborted(req: IncomingMessage, error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    code === "ECONNRESET" ||
    code === "ERR_STREAM_PREMATURE_CLOSE" ||
    (req.destroyed && !req.complete) ||
    (error instanceof Error && error.message === "aborted")
  );
}

/** Reads a request body, refusing more than `maxBytes`. */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (declared > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
