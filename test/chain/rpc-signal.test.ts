// The JSON-RPC node bound to a job run's signal (ConnectionRpc.withSignal), against a loopback node:
// calls answer as usual until the signal is aborted; a call the node never answers is given up the
// moment it is, with the timeout as the reason, instead of holding the run for its 20 s.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionRpc } from "#src/chain/rpc.ts";
import { JobTimeoutError } from "#src/epochs/timeouts.ts";

describe("Solana RPC calls of a job run", () => {
  let url = "";
  /** Resolved with the method of each request the node receives and leaves unanswered. */
  let heldRequest: (method: string) => void = () => {};
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const { id, method } = JSON.parse(body) as { id: string; method: string };
      if (method === "getBlockHeight") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: 42 }));
        return;
      }
      held.push(res); // never answered: a node that hangs
      heldRequest(method);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers while the run goes on, and gives up a hanging call when the run times out", async () => {
    const run = new AbortController();
    const rpc = new ConnectionRpc(url).withSignal(run.signal);
    expect(await rpc.finalizedBlockHeight()).toBe(42n);

    const reached = new Promise<string>((resolve) => {
      heldRequest = resolve;
    });
    const hanging = rpc.latestBlockhash();
    expect(await reached).toBe("getLatestBlockhash");
    run.abort(new JobTimeoutError(300_000));
    await expect(hanging).rejects.toThrow(/timed out after 300 s/);
    expect(held).toHaveLength(1);

    // Once aborted, every later call through it stops at once, without reaching the node.
    await expect(rpc.finalizedBlockHeight()).rejects.toThrow(/timed out after 300 s/);
    expect(held).toHaveLength(1);
  });
});
