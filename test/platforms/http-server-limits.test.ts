// The HTTP server at the edge: over real sockets on loopback, a client that sends its headers or
// body too slowly, or keeps a connection open doing nothing, is cut off in seconds; a body past the
// limit is refused; a caller that hangs up mid-request is logged as a client abort, not an error.
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "#src/log.ts";
import { HttpServer, readBody } from "#src/platforms/http-server.ts";

function memoryLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, entries: () => lines.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

/** Resolves with what the server sent and how long until it closed the connection. */
function untilClosed(socket: Socket): Promise<{ received: string; ms: number }> {
  const started = Date.now();
  let received = "";
  socket.on("data", (chunk) => {
    received += String(chunk);
  });
  return new Promise((resolve) => {
    socket.on("close", () => resolve({ received, ms: Date.now() - started }));
    socket.on("error", () => {});
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
  });
}

const LIMITS = {
  headersTimeoutMs: 500,
  requestTimeoutMs: 1_000,
  keepAliveTimeoutMs: 300,
  checkIntervalMs: 100,
};

describe("the HTTP server's limits", () => {
  const servers: HttpServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function start(log = createLogger("silent")) {
    const server = new HttpServer(log, LIMITS).route("/echo", async (req, res) => {
      const body = await readBody(req);
      if (!body) return void res.writeHead(413).end("too large");
      res.writeHead(200).end(body);
    });
    servers.push(server);
    return { server, port: await server.listen("127.0.0.1", 0) };
  }

  it("cuts off a client that never finishes its headers", { timeout: 10_000 }, async () => {
    const { port } = await start();
    const socket = await open(port);
    const closed = untilClosed(socket);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\n");
    const { received, ms } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3_000);
  });

  it("cuts off a client that sends its body too slowly", { timeout: 10_000 }, async () => {
    const { port } = await start();
    const socket = await open(port);
    const closed = untilClosed(socket);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
    const trickle = setInterval(() => socket.writable && socket.write("a"), 200);
    const { received, ms } = await closed.finally(() => clearInterval(trickle));
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3_000);
  });

  it("closes a kept-alive connection that sits idle", { timeout: 10_000 }, async () => {
    const { port } = await start();
    const socket = await open(port);
    const closed = untilClosed(socket);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    const { received, ms } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\nhi\r\n/);
    expect(ms).toBeLessThan(2_000);
  });

  it("refuses a body past the limit with 413, from its declared length", async () => {
    const { port } = await start();
    const response = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: "POST",
      body: Buffer.alloc(1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
  });

  it("logs a caller that hangs up mid-request as a client abort, not as an error", async () => {
    const log = memoryLog();
    const { port } = await start(createLogger("debug", log.stream));
    const socket = await open(port);
    const closed = untilClosed(socket);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial");
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await closed;
    await expect.poll(() => log.entries().length).toBeGreaterThan(0);
    const entries = log.entries();
    expect(entries.filter((e) => e.level >= 50)).toEqual([]);
    expect(entries).toEqual([expect.objectContaining({ level: 30, msg: "HTTP client aborted the request" })]);
  });
});
