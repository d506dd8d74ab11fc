// The load suite's ceiling, run as its own process and started the way the bot is (node --import
// tsx): a bare node:http server that verifies Discord's Ed25519 signature and acks with type 5.
// Its acks per second and ack p99 are the endpoint's ceiling; its resident memory is the
// minimal server's. It imports nothing of the bot's, so that figure is node, tsx and node:http.
// Started by bench/load.bench.ts with BARE_ACK_PUBLIC_KEY (hex); prints its port on stdout.
import { createPublicKey, verify } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const publicKeyHex = process.env.BARE_ACK_PUBLIC_KEY ?? "";
const key = createPublicKey({
  key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKeyHex, "hex").toString("base64url") },
  format: "jwk",
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const timestamp = String(req.headers["x-signature-timestamp"]);
    const signature = Buffer.from(String(req.headers["x-signature-ed25519"]), "hex");
    const ok = verify(null, Buffer.concat([Buffer.from(timestamp), ...chunks]), key, signature);
    if (!ok) res.writeHead(401).end();
    else res.writeHead(200, { "content-type": "application/json" }).end('{"type":5}');
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
});
