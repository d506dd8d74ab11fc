import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Database tests start PGlite (WebAssembly) and create PostgreSQL databases; give them room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two cores: more workers than that only adds contention to the PostgreSQL concurrency tests.
    maxWorkers: 2,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
