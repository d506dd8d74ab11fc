// A member's picture, fetched at the edge from a local HTTP server standing in for the platform's
// CDN: drawn on their /profile card when it comes, and never a failure when it does not (too large,
// too slow, missing, not a picture).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchAvatar } from "#src/platforms/avatar.ts";
import { createTestApp, type TestApp } from "#test/helpers/app.ts";

const picture = (() => {
  const canvas = createCanvas(32, 32);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ff0000";
  ctx.fillRect(0, 0, 32, 32);
  return canvas.toBuffer("image/png");
})();

describe("avatars", () => {
  let server: Server;
  let base: string;
  let test: TestApp;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/ok.png") return void res.writeHead(200, { "content-type": "image/png" }).end(picture);
      if (req.url === "/huge.png") return void res.writeHead(200).end(Buffer.alloc(600 * 1024, 1));
      if (req.url === "/slow.png") return void setTimeout(() => res.writeHead(200).end(picture), 2000);
      if (req.url === "/text.png") return void res.writeHead(200).end("not a picture");
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    test = await createTestApp("pglite");
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await test.close();
  });

  it("fetches a picture within its size cap and time limit, and nothing otherwise", async () => {
    expect(Buffer.from((await fetchAvatar(`${base}/ok.png`))!).equals(picture)).toBe(true);
    expect(await fetchAvatar(`${base}/huge.png`)).toBeUndefined();
    expect(await fetchAvatar(`${base}/slow.png`, { maxBytes: 100_000, timeoutMs: 200 })).toBeUndefined();
    expect(await fetchAvatar(`${base}/missing.png`)).toBeUndefined();
    expect(await fetchAvatar(undefined)).toBeUndefined();
  });

  const profileWith = async (path: string, id: string) => {
    const result = await test.app.dispatcher.dispatch({
      platform: "discord",
      eventId: `profile-${id}`,
      user: { platform: "discord", id, displayName: "Ana" },
      path: ["profile"],
      options: {},
      avatar: () => fetchAvatar(`${base}${path}`),
    });
    expect(result.code).toBe("ok");
    const image = await loadImage(result.reply.image!.png);
    const canvas = createCanvas(image.width, image.height);
    canvas.getContext("2d").drawImage(image, 0, 0);
    return [...canvas.getContext("2d").getImageData(64, 54, 1, 1).data.subarray(0, 3)];
  };

  it("draws the picture on the member's own profile card, and draws the card without one that fails", async () => {
    expect(await profileWith("/ok.png", "1")).toEqual([255, 0, 0]);
    expect(await profileWith("/text.png", "2")).not.toEqual([255, 0, 0]);
    expect(await profileWith("/huge.png", "3")).not.toEqual([255, 0, 0]);
  });
});
