import { createEncryptionExtension } from "./crypto/encryption-extension";
import { type KeyRing, parseKeyRing } from "./crypto/field-encryption";
import { createDriverAdapter, type DatabaseTarget } from "./db-adapter";
import { getEnv } from "./env";
import { PrismaClient } from "./generated/prisma/client";
import { schemaMetadata } from "./generated/schema-metadata";
import { countDatabaseErrors } from "./observability/count-database-errors";

// The app's Prisma client: PostgreSQL through the pg adapter when DATABASE_URL is set, else the
// embedded PGlite database. Created lazily, so `next build` workers never open the PGlite directory,
// and kept on globalThis so dev hot reloads reuse one connection pool.

export function getDatabaseTarget(): DatabaseTarget {
  const env = getEnv();
  return env.DATABASE_URL
    ? { kind: "postgres", url: env.DATABASE_URL }
    : { kind: "pglite", dataDir: env.PGLITE_DATA_DIR };
}

let ring: { source: string; value: KeyRing } | undefined;

/** The key ring from ENCRYPTION_KEY and ENCRYPTION_PREVIOUS_KEYS, parsed again only when they change. */
export function getKeyRing(): KeyRing {
  const env = getEnv();
  const source = [env.ENCRYPTION_KEY, ...env.ENCRYPTION_PREVIOUS_KEYS].join(",");
  if (ring?.source !== source)
    ring = { source, value: parseKeyRing(env.ENCRYPTION_KEY, env.ENCRYPTION_PREVIOUS_KEYS) };
  return ring.value;
}

export function createDbClient(target: DatabaseTarget = getDatabaseTarget()) {
  const adapter = createDriverAdapter(target);
  // Counted below encryption, so only the database's own failures are counted.
  return new PrismaClient({ adapter })
    .$extends(countDatabaseErrors())
    .$extends(createEncryptionExtension(getKeyRing, schemaMetadata));
}

export type Db = ReturnType<typeof createDbClient>;

const globalForDb = globalThis as unknown as { tumikiDb?: Db };

export function getDb(): Db {
  globalForDb.tumikiDb ??= createDbClient();
  return globalForDb.tumikiDb;
}
