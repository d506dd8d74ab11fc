import { defineConfig } from "vitest/config";

// `npm run test:fast` (FORGEBOT_TEST_FAST=1) is the edit loop: pure and embedded-database (PGlite)
// tests only. It leaves out the PostgreSQL variants (test/helpers/global-setup.ts reports PostgreSQL
// unavailable, so they are skipped), the files below, which start whole processes, and the long
// randomized suites (properties and the fuzz over every command), which explore rather than check
// one change. `npm test` runs everything; CI runs `npm test`.
const FAST = process.env.FORGEBOT_TEST_FAST === "1";
const PROCESS_TESTS = [
  "test/db/migrations.test.ts", // runs the Prisma CLI to diff the schema against the migrations
  "test/platforms/console/npm-start.test.ts", // starts the bot as `npm start` does
  "test/platforms/discord/deploy.test.ts", // runs the deploy-commands script
  "test/leaderboards/scheduled-posts.test.ts", // several bot processes posting at once
  "test/epochs/processes.test.ts", // scheduler processes, one killed mid-run
  "test/epochs/arena-processes.test.ts",
  "test/platforms/console/script-drain.test.ts", // runs `npm start -- --script` as a child process
  "test/ops/drain-process.test.ts", // bot processes stopped by SIGTERM mid-grading
  "test/ops/replicas.test.ts", // three bot processes on one database, one killed and restarted
];
const LONG_RANDOMIZED = ["test/**/*.property.test.ts", "test/core/commands-fuzz.test.ts"];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: FAST ? [...PROCESS_TESTS, ...LONG_RANDOMIZED] : [],
    // Database tests start PGlite (WebAssembly) and create PostgreSQL databases; give them room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The fast loop shares one module graph per worker (importing the Prisma client and the bot
    // once, not once per file: 97 s of 206 s); the full run keeps every file isolated.
    isolate: !FAST,
    // Two cores: more workers than that only adds contention to the PostgreSQL concurrency tests.
    maxWorkers: 2,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
