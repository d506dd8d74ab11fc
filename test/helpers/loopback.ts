// A loopback HTTP server (port 0) standing in for a platform's API: it records every request (JSON
// and multipart bodies decoded) and answers with what the test's handler returns. Only the network
// is fake: the libraries under test build and send real requests.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CapturedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The JSON body, or multipart form fields (JSON-decoded where they parse), or undefined. */
  body: Record<string, unknown> | undefined;
  /** Files of a multipart body, by field name. */
  files: Record<string, { name: string; data: Buffer; type: string }>;
}

export interface Answer {
  status?: number;
  /** JSON-encoded unless a Buffer or undefined. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Responder = (request: CapturedRequest) => Answer | Promise<Answer>;

export class Loopback {
  readonly requests: CapturedRequest[] = [];
  readonly #waiters: Array<{
    match: (r: CapturedRequest) => boolean;
    resolve: (r: CapturedRequest) => void;
  }> = [];
  readonly #server: Server;
  #url = "";

  private constructor(private readonly respond: Responder) {
    this.#server = createServer((req, res) => {
      void this.handle(req).then(
        (answer) => {
          const raw = answer.body;
          const payload =
            raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw : Buffer.from(JSON.stringify(raw));
          res.writeHead(answer.status ?? 200, {
            ...(payload && !Buffer.isBuffer(raw) ? { "content-type": "application/json" } : {}),
            ...answer.headers,
          });
          res.end(payload);
        },
        (error: unknown) => {
          res.writeHead(500).end(String(error));
        },
      );
    });
  }

  static async start(respond: Responder): Promise<Loopback> {
    const loopback = new Loopback(respond);
    await new Promise<void>((resolve) => loopback.#server.listen(0, "127.0.0.1", resolve));
    loopback.#url = `http://127.0.0.1:${(loopback.#server.address() as AddressInfo).port}`;
    return loopback;
  }

  get url(): string {
    return this.#url;
  }

  get server(): Server {
    return this.#server;
  }

  /** The first request (already made or still to come) that `match` accepts. */
  waitFor(match: (r: CapturedRequest) => boolean): Promise<CapturedRequest> {
    const found = this.requests.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  /** Requests made since `mark` (a length of `requests` taken earlier). */
  since(mark: number): CapturedRequest[] {
    return this.requests.slice(mark);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage): Promise<Answer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", this.#url);
    const request: CapturedRequest = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body: undefined,
      files: {},
    };
    const type = req.headers["content-type"] ?? "";
    if (raw.length > 0 && type.includes("application/json")) {
      request.body = JSON.parse(raw.toString("utf8"));
    } else if (raw.length > 0 && type.includes("multipart/form-data")) {
      request.body = {};
      for (const part of multipartParts(
        raw,
        /boundary=(?:"([^"]+)"|([^;]+))/.exec(type)!.slice(1).find(Boolean)!,
      )) {
        if (part.filename !== undefined) {
          request.files[part.name] = { name: part.filename, data: part.data, type: part.type ?? "" };
          continue;
        }
        const value = part.data.toString("utf8");
        try {
          request.body[part.name] = JSON.parse(value);
        } catch {
          request.body[part.name] = value;
        }
      }
    }
    this.requests.push(request);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(request)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
    }
    return this.respond(request);
  }
}

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough of RFC 7578 for what clients send). */
function multipartParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, from);
    if (next < 0) break;
    const chunk = body.subarray(from + 2, next - 2); // after CRLF, before CRLF
    const split = chunk.indexOf("\r\n\r\n");
    const head = chunk.subarray(0, split).toString("utf8");
    const disposition = /content-disposition:[^\r\n]*/i.exec(head)?.[0] ?? "";
    // Quoted as RFC 7578 has it, or bare (grammY writes filename=name).
    const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/i
      .exec(disposition)
      ?.slice(1)
      .find((v) => v !== undefined);
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    parts.push({
      name:
        /(?:^|;)\s*name="([^"]*)"/i.exec(
          disposition.replace(/^content-disposition:\s*form-data/i, ""),
        )?.[1] ?? "",
      ...(filename !== undefined ? { filename } : {}),
      ...(type ? { type } : {}),
      data: Buffer.from(chunk.subarray(split + 4)),
    });
    start = next;
  }
  return parts;
}
