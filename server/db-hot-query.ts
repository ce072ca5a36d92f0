import pg from "pg";
import { getDatabaseTarget } from "./db";
import { openPglite, parseDatabaseUrl } from "./db-adapter";
import { getLogger } from "./logger";
import { databaseErrors } from "./observability/tumiki-metrics";

// SQL for the few statements every proxied MCP request runs (the access token's issuance record, the
// instance's servers, the audit row), sent straight to the driver. Through Prisma, even as raw SQL, each
// costs about a millisecond of CPU on this kind of machine (the query compiler, the adapter layers),
// against a fifth of that here, and the proxy's latency is mostly that CPU. Everything else keeps
// using Prisma. Values are always bound parameters, never interpolated; rows come back as the driver
// types them (timestamps as Date, enums as text).

type TSql = { text: string; values: unknown[] };

/** Builds `$1, $2, …` SQL from a tagged template, so values can only ever be parameters. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): TSql {
  return { text: strings.reduce((text, part, i) => `${text}$${i}${part}`), values };
}

// On globalThis, like the Prisma client (server/db.ts), so dev hot reloads reuse one pool.
const globalForPool = globalThis as unknown as { tumikiHotPool?: { url: string; pool: pg.Pool } };

function getPool(url: string): pg.Pool {
  if (globalForPool.tumikiHotPool?.url !== url) {
    const { connectionString, schema } = parseDatabaseUrl(url);
    const pool = new pg.Pool({
      connectionString,
      max: 10,
      // The schema of `?schema=`, as the Prisma client qualifies it.
      ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '""')}"` } : {}),
    });
    // An idle connection the server closes (a restart, a failover) must not crash the process: the pool
    // drops it and connects anew on the next query.
    pool.on("error", (error) => getLogger().warn({ err: error }, "an idle database connection failed"));
    globalForPool.tumikiHotPool = { url, pool };
  }
  return globalForPool.tumikiHotPool.pool;
}

/** Runs one statement and returns its rows, on PostgreSQL or the embedded database alike. */
export async function queryHotRows<T>(statement: TSql): Promise<T[]> {
  const target = getDatabaseTarget();
  try {
    if (target.kind === "postgres") {
      return (await getPool(target.url).query(statement.text, statement.values)).rows as T[];
    }
    return (await openPglite(target.dataDir).query<T>(statement.text, statement.values)).rows;
  } catch (error) {
    databaseErrors.inc();
    throw error;
  }
}
