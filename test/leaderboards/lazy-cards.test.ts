// The cards and the canvas library under them (tens of MB, a third of a second) are loaded on the
// first card drawn, not at start: checked in a fresh process, whose module cache is its own.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const PROBE = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const canvasLoaded = () => Object.keys(require.cache).some((k) => k.includes("@napi-rs/canvas"));
const { COMMANDS_DIR } = await import("./src/app.ts");
const { loadCommandModules } = await import("./src/core/registry.ts");
const commands = await loadCommandModules(COMMANDS_DIR);
const atStart = canvasLoaded();
const { boardReply } = await import("./src/leaderboards/replies.ts");
const board = { kind: "farmers", metric: "earnings", period: "week", title: "t", subtitle: "s", rows: [], ranked: 0 };
const textOnly = await boardReply(board, false);
const afterText = canvasLoaded();
const withCard = await boardReply(board, true);
console.log(JSON.stringify({ commands: commands.length, atStart, afterText, textOnly: !textOnly.image,
  png: withCard.image.png.subarray(1, 4).toString("latin1"), afterCard: canvasLoaded() }));
`;

describe("card code loading", () => {
  it("loads the canvas on the first card drawn, not with the commands or for a text reply", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", PROBE],
      { cwd: ROOT, timeout: 60_000 },
    );
    const seen = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(seen.commands).toBeGreaterThan(10);
    expect(seen).toMatchObject({
      atStart: false,
      afterText: false,
      textOnly: true,
      png: "PNG",
      afterCard: true,
    });
  }, 90_000);
});
