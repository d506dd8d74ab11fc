// The commands directory holds a file per command or a folder per command (its index.ts); the
// other files of a folder are parts of that one command, and names starting with _ are helpers.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS_DIR } from "#src/app.ts";
import { loadCommandModules } from "#src/core/registry.ts";

const command = (name: string) => `export default { name: "${name}", description: "${name}" };\n`;

describe("loading the commands directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "forgebot-commands-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a file command and a folder's index, not the folder's parts nor _ helpers", async () => {
    writeFileSync(join(dir, "alpha.ts"), command("alpha"));
    mkdirSync(join(dir, "beta"));
    writeFileSync(join(dir, "beta", "index.ts"), `export { default } from "./parts.ts";\n`);
    // A part of the folder with a default export of its own: loaded as a command, it would show.
    writeFileSync(join(dir, "beta", "parts.ts"), command("beta"));
    writeFileSync(join(dir, "beta", "other.ts"), command("other"));
    writeFileSync(join(dir, "_kit.ts"), command("kit"));
    mkdirSync(join(dir, "_shared"));
    writeFileSync(join(dir, "_shared", "index.ts"), command("shared"));
    writeFileSync(join(dir, "notes.md"), "not a command\n");

    const names = (await loadCommandModules(dir)).map((c) => c.name);
    expect(names).toEqual(["alpha", "beta"]);
  });

  it("loads /arena from its folder once, like every other command", async () => {
    const names = (await loadCommandModules(COMMANDS_DIR)).map((c) => c.name);
    expect(names.filter((n) => n === "arena")).toHaveLength(1);
    const entries = readdirSync(COMMANDS_DIR).filter((name) => !name.startsWith("_"));
    expect(names).toHaveLength(entries.length);
  });
});
