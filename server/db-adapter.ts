import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

// Shared by the Prisma CLI (prisma.config.ts) and the app (server/db.ts), so both reach the database
// the same way. It reads no environment itself: callers pass what server/env.ts validated.

export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

type AdapterFactory = ReturnType<typeof createPostgresAdapter>;

/** Splits Prisma's conventional `?schema=` parameter off a PostgreSQL URL. */
export function parseDatabaseUrl(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema };
}

// Upstream bug prisma/prisma#27403: the pg adapter cannot map PostgreSQL's `char` (18) and `name` (19)
// column types, which the schema engine's introspection queries return, so `migrate` fails on real
// PostgreSQL. Both hold plain strings, so reporting them as `text` (25) is exact.
const TEXT_LIKE_TYPE_IDS = new Set([18, 19]);
const TEXT_TYPE_ID = 25;

function retagTextLikeFields<T>(result: T): T {
  const fields = (result as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
  for (const field of fields ?? []) {
    if (TEXT_LIKE_TYPE_IDS.has(field.dataTypeID)) field.dataTypeID = TEXT_TYPE_ID;
  }
  return result;
}

class NameAsTextClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this only post-processes.
  override query(...args: any[]): any {
    // pg.Pool calls query() with a callback, the pg adapter's transactions with a promise: retag both.
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) => last(error, retagTextLikeFields(result));
    }
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    const result = (super.query as (...a: any[]) => any)(...args);
    return result && typeof result.then === "function" ? result.then(retagTextLikeFields) : result;
  }
}

function createPool(connectionString: string, schema: string | undefined): pg.Pool {
  return new pg.Pool({
    connectionString,
    Client: NameAsTextClient,
    // Raw SQL (migrations, tests) lands in the same schema that the query compiler qualifies.
    ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '""')}"` } : {}),
  });
}

function createPostgresAdapter(url: string) {
  const { connectionString, schema } = parseDatabaseUrl(url);
  const factory = new PrismaPg(createPool(connectionString, schema), {
    schema,
    disposeExternalPool: true,
  });
  return Object.assign(factory, {
    // The stock shadow database connects with the main connection string (which wins over `database`),
    // so `migrate dev` would replay migrations into the main database. Create and drop a real one.
    async connectToShadowDb() {
      const name = `prisma_shadow_${crypto.randomUUID().replaceAll("-", "")}`;
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const shadowUrl = new URL(connectionString);
      shadowUrl.pathname = `/${name}`;
      const shadow = await new PrismaPg(createPool(shadowUrl.toString(), undefined), {
        disposeExternalPool: true,
      }).connect();
      const dispose = shadow.dispose.bind(shadow);
      return Object.assign(shadow, {
        async dispose() {
          await dispose();
          const cleanup = new pg.Client({ connectionString });
          await cleanup.connect();
          await cleanup.query(`DROP DATABASE IF EXISTS "${name}"`);
          await cleanup.end();
        },
      });
    },
  });
}

// One PGlite per data directory and process. PGlite has no lock, and two instances that open an empty
// directory both run initdb, so one can overwrite what the other has written: the Prisma CLI asks
// prisma.config.ts for its adapter twice per command, and `migrate deploy` on a fresh machine then
// sometimes left an empty database behind (the seed failed with `relation "public.User" does not exist`).
const openInstances = new Map<string, PGlite>();

/**
 * Opens PGlite with startup-progress logging off: otherwise the Prisma CLI hangs after
 * `migrate deploy` on an existing data directory (DESIGN.md, stack recipe). Returns the instance this
 * process already has open on the same directory, if any.
 */
export function openPglite(dataDir: string): PGlite {
  const isPath = !dataDir.includes("://");
  const key = isPath ? path.resolve(dataDir) : dataDir;
  const open = openInstances.get(key);
  if (open && !open.closed) return open;
  if (isPath) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite({
    dataDir,
    startParams: [...PGlite.defaultStartParams, "-c", "log_startup_progress_interval=0"],
  });
  openInstances.set(key, client);
  return client;
}

// pglite-prisma-adapter 0.6.1 reports every database error as a raw `{ kind: "postgres", code }`,
// which Prisma cannot turn into P2002 and friends; the pg adapter maps the codes. Map the ones the app
// relies on the same way, so a duplicate email is a unique violation on both databases.
function mapPostgresError(cause: { code?: string; detail?: string; column?: string; message?: string }) {
  const fields = cause.detail
    ?.match(/Key \(([^)]+)\)/)
    ?.at(1)
    ?.split(", ");
  const base = { originalCode: cause.code, originalMessage: cause.message };
  switch (cause.code) {
    case "23505":
      return { ...base, kind: "UniqueConstraintViolation", constraint: fields ? { fields } : undefined };
    case "23502":
      return { ...base, kind: "NullConstraintViolation", constraint: fields ? { fields } : undefined };
    case "23503":
      return {
        ...base,
        kind: "ForeignKeyConstraintViolation",
        constraint: cause.column ? { fields: [cause.column] } : undefined,
      };
    case "40001":
      return { ...base, kind: "TransactionWriteConflict" };
    default:
      return undefined;
  }
}

function withMappedErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result = value.apply(object, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (resolved) =>
            property === "connect" || property === "startTransaction" || property === "connectToShadowDb"
              ? withMappedErrors(resolved as object)
              : resolved,
          (error: { name?: string; cause?: { kind?: string } }) => {
            const mapped =
              error?.name === "DriverAdapterError" && error.cause?.kind === "postgres"
                ? mapPostgresError(error.cause as Parameters<typeof mapPostgresError>[0])
                : undefined;
            if (mapped) error.cause = mapped;
            throw error;
          },
        );
      };
    },
  });
}

export function createDriverAdapter(target: DatabaseTarget): AdapterFactory {
  if (target.kind === "postgres") return createPostgresAdapter(target.url);
  const client = openPglite(target.dataDir);
  // pglite-prisma-adapter 0.6.1 is typed against an older driver-adapter package; it works at run time.
  return withMappedErrors(new PrismaPGlite(client)) as unknown as AdapterFactory;
}
