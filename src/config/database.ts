// The database (src/db): the embedded PGlite directory or a PostgreSQL server.
import { z } from "zod";
import type { SliceConfig } from "./settings.ts";

const databaseUrl = z
  .string()
  .min(1)
  .default("./data/forgebot")
  .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^(postgres(ql)?|memory|file):\/\//i.test(url), {
    message:
      "expected postgresql://user:password@host:port/database, memory://, or a directory for the embedded database",
  });

export const databaseSettings = {
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * The embedded database's buffer cache, in MiB. PGlite keeps it inside its WebAssembly memory and
   * touches all of it at start: PostgreSQL's 128 MiB default made the bot idle near 500 MiB.
   */
  PGLITE_SHARED_BUFFERS_MB: z.coerce.number().int().min(1).max(4096).default(16),
};

export type DatabaseConfig = SliceConfig<typeof databaseSettings>;
