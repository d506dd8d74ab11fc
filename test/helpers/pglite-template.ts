// Starting PGlite runs initdb (seconds); loading a dumped data directory is several times faster.
// Global setup migrates one database, dumps it here, and every test loads a copy.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { readMigrations } from "#src/db/migrate.ts";

function templatePath(): string {
  const pgliteVersion = JSON.parse(readFileSync("node_modules/@electric-sql/pglite/package.json", "utf8"))
    .version as string;
  const digest = createHash("sha256")
    .update(pgliteVersion)
    .update(
      readMigrations()
        .map((m) => `${m.name}:${m.checksum}`)
        .join("\n"),
    )
    .digest("hex")
    .slice(0, 16);
  return join(tmpdir(), "forgebot-test", `pglite-template-${digest}.tar`);
}

/** Builds the template if it is missing; returns its path. */
export async function ensurePgliteTemplate(build: (lite: PGlite) => Promise<void>): Promise<string> {
  const path = templatePath();
  if (existsSync(path)) return path;
  const lite = new PGlite();
  await lite.waitReady;
  await build(lite);
  const dump = await lite.dumpDataDir("none");
  mkdirSync(join(tmpdir(), "forgebot-test"), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
  const { renameSync } = await import("node:fs");
  renameSync(partial, path);
  return path;
}

export function loadPgliteTemplate(path: string): Blob {
  return new Blob([readFileSync(path)]);
}
