// Prisma CLI configuration, used only by developers to create migrations (`npm run db:new-migration`)
// and by `prisma generate` (run on install). Prisma's schema engine binary cannot be downloaded on
// our machines, so the CLI talks to throwaway in-memory PGlite databases through the driver adapter.
// The bot itself applies migrations with src/db/migrate.ts, on PGlite and PostgreSQL alike.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

type Adapter = Awaited<ReturnType<PrismaPGlite["connect"]>>;

// The schema engine replays earlier migrations into its shadow database with a parameterless
// executeRaw holding many statements, which PostgreSQL's extended protocol refuses ("cannot insert
// multiple commands into a prepared statement"). Send those through PGlite's simple protocol.
function acceptScripts(adapter: Adapter, db: PGlite): Adapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length > 0) return executeRaw(query);
    await db.exec(query.sql);
    return 0;
  };
  return adapter;
}

function scriptFriendlyPGlite(): PrismaPGlite {
  const main = new PGlite();
  const factory = new PrismaPGlite(main);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => acceptScripts(await connect(), main);
  factory.connectToShadowDb = async () => {
    const shadow = new PGlite();
    return acceptScripts(await new PrismaPGlite(shadow).connect(), shadow);
  };
  return factory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return scriptFriendlyPGlite();
  },
});
