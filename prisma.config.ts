import "dotenv/config";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { createDriverAdapter } from "./server/db-adapter";

// The Prisma CLI does not read .env when a config file exists, hence dotenv above. Without
// DATABASE_URL the CLI works on the embedded PGlite database, like the app. The CLI needs only these
// two variables and runs without the app's secrets, so it reads them here rather than through
// server/env.ts, which validates everything the app needs.
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations"), seed: "tsx prisma/seed.ts" },
  adapter: async () =>
    createDriverAdapter(
      process.env.DATABASE_URL
        ? { kind: "postgres", url: process.env.DATABASE_URL }
        : { kind: "pglite", dataDir: process.env.PGLITE_DATA_DIR ?? path.join(".data", "pglite") },
    ),
});
