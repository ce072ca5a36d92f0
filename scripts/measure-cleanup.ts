import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import pg from "pg";
import { readMigrations } from "../server/testing/apply-migrations";

// How long the clean-up job takes on a million audit rows, and whether AuditLog needs monthly
// partitions instead (issue 12, item 5). Not part of CI. Creates a scratch database next to the one in
// MEASURE_DATABASE_URL (default: the local PostgreSQL), fills it, measures, and drops it again:
//
//   npx tsx scripts/measure-cleanup.ts [rows=1000000] [batchSize=5000]
//
// The rows are spread evenly over the last 180 days, so about half are past the 90-day retention; they
// look like the proxy's tool-call rows (ids, IP, user agent, duration, a small JSON detail). For
// comparison it also fills a copy partitioned by month and times dropping the expired months.

const base = process.env.MEASURE_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const rows = Number(process.argv[2] ?? 1_000_000);
const batchSize = Number(process.argv[3] ?? 5000);
const DATABASE = "tumiki_measure_d";

const seconds = (startedAt: number) => ((performance.now() - startedAt) / 1000).toFixed(1);

const FILL = `
  INSERT INTO "AuditLog" ("id", "eventType", "outcome", "actorUserId", "clientId", "instanceId",
                          "mcpServerId", "ip", "userAgent", "reason", "durationMs", "detail", "createdAt")
  SELECT 'c' || substr(md5(i::text), 1, 24),
         CASE WHEN i % 10 = 0 THEN 'oauth.token_refreshed' ELSE 'mcp.tool_called' END,
         (CASE WHEN i % 50 = 0 THEN 'FAILURE' ELSE 'SUCCESS' END)::"AuditOutcome",
         'user' || lpad((i % 50)::text, 21, '0'),
         'client' || lpad((i % 30)::text, 19, '0'),
         '00000000-0000-4000-8000-' || lpad((i % 100)::text, 12, '0'),
         'server' || lpad((i % 20)::text, 19, '0'),
         '198.51.100.' || (i % 250),
         'claude-code/2.1.0 (node; linux x64) mcp-client/2026-07-28',
         CASE WHEN i % 50 = 0 THEN 'backend_error' END,
         ((i::bigint * 7919) % 2000)::int,
         jsonb_build_object('tool', 'search_issues', 'serverSlug', 'server' || (i % 20),
                            'authKind', 'oauth', 'oauthClientId', 'client' || (i % 30)),
         now() - (i::double precision / $1) * interval '180 days'
  FROM generate_series(1, $1) AS i`;

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  const url = new URL(base);
  url.pathname = `/${DATABASE}`;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    for (const migration of readMigrations()) await client.query(migration.up);

    console.log(
      `load average at start: ${loadavg()
        .map((n) => n.toFixed(1))
        .join(" ")} (1, 5, 15 min)`,
    );
    let startedAt = performance.now();
    await client.query(FILL, [rows]);
    await client.query(`VACUUM ANALYZE "AuditLog"`);
    const expired = Number(
      (await client.query(`SELECT count(*) FROM "AuditLog" WHERE "createdAt" < now() - interval '90 days'`))
        .rows[0].count,
    );
    const size = (await client.query(`SELECT pg_size_pretty(pg_total_relation_size('"AuditLog"')) AS s`))
      .rows[0].s;
    console.log(
      `filled ${rows} rows (${expired} past 90 days), table with indexes ${size}, in ${seconds(startedAt)} s`,
    );

    // The job itself, as `npm run jobs:cleanup` runs it, against the scratch database.
    process.env.DATABASE_URL = url.toString();
    process.env.AUTH_SECRET ??= randomBytes(32).toString("base64");
    process.env.ENCRYPTION_KEY ??= `measure:${randomBytes(32).toString("base64")}`;
    process.env.LOG_LEVEL ??= "error";
    const { runCleanup } = await import("../server/jobs/cleanup/run-cleanup");
    const { getDb } = await import("../server/db");
    startedAt = performance.now();
    const result = await runCleanup({ batchSize });
    const jobSeconds = (performance.now() - startedAt) / 1000;
    console.log(
      `clean-up: ${result.deleted.audit_log} audit rows deleted in ${jobSeconds.toFixed(1)} s ` +
        `(batch ${batchSize}, ${Math.round(result.deleted.audit_log / jobSeconds)} rows/s)`,
    );
    await getDb().$disconnect();
    // A DELETE only marks rows dead; (auto)vacuum then frees them and their index entries.
    startedAt = performance.now();
    await client.query(`VACUUM ANALYZE "AuditLog"`);
    console.log(`VACUUM ANALYZE after the clean-up: ${seconds(startedAt)} s`);

    // What the usage dashboard asks of the rest: one user's tool calls of the last 7 days, per hour and
    // server.
    startedAt = performance.now();
    const dashboard = await client.query(
      `SELECT date_trunc('hour', "createdAt") AS hour, "mcpServerId", count(*) AS calls,
              count(*) FILTER (WHERE "outcome" <> 'SUCCESS') AS errors, avg("durationMs") AS avg_ms
       FROM "AuditLog"
       WHERE "actorUserId" = $1 AND "eventType" = 'mcp.tool_called' AND "createdAt" >= now() - interval '7 days'
       GROUP BY 1, 2`,
      [`user${"7".padStart(21, "0")}`],
    );
    console.log(
      `dashboard query on the ${rows - result.deleted.audit_log} left: ${dashboard.rowCount} groups in ${(performance.now() - startedAt).toFixed(1)} ms`,
    );

    // The alternative: the same rows in monthly partitions, the expired months dropped. (A month is only
    // dropped whole, so rows up to a month past the retention wait for the next month's drop.)
    await client.query(
      `CREATE TABLE "AuditLogByMonth" (LIKE "AuditLog" INCLUDING DEFAULTS) PARTITION BY RANGE ("createdAt")`,
    );
    await client.query(`CREATE INDEX ON "AuditLogByMonth" ("createdAt")`);
    await client.query(`CREATE INDEX ON "AuditLogByMonth" ("actorUserId", "createdAt")`);
    await client.query(`CREATE INDEX ON "AuditLogByMonth" ("instanceId", "createdAt")`);
    const months = (
      await client.query<{ start: Date }>(
        `SELECT generate_series(date_trunc('month', now() - interval '181 days'), date_trunc('month', now()), interval '1 month') AS start`,
      )
    ).rows;
    for (const [i, { start }] of months.entries()) {
      await client.query(
        `CREATE TABLE "AuditLogByMonth_${i}" PARTITION OF "AuditLogByMonth"
         FOR VALUES FROM ('${start.toISOString()}') TO ('${start.toISOString()}'::timestamp + interval '1 month')`,
      );
    }
    await client.query(`TRUNCATE "AuditLog"`);
    await client.query(FILL.replace(`INSERT INTO "AuditLog"`, `INSERT INTO "AuditLogByMonth"`), [rows]);
    const retentionStart = Date.now() - 90 * 24 * 3600_000;
    const expiredMonths = months.flatMap(({ start }, i) => {
      const end = new Date(start);
      end.setUTCMonth(end.getUTCMonth() + 1);
      return end.getTime() <= retentionStart ? [`AuditLogByMonth_${i}`] : [];
    });
    let dropped = 0;
    for (const name of expiredMonths) {
      dropped += Number((await client.query(`SELECT count(*) FROM "${name}"`)).rows[0].count);
    }
    startedAt = performance.now();
    for (const name of expiredMonths) {
      await client.query(`ALTER TABLE "AuditLogByMonth" DETACH PARTITION "${name}"`);
      await client.query(`DROP TABLE "${name}"`);
    }
    console.log(
      `partitioned: ${expiredMonths.length} whole months (${dropped} rows) dropped in ${seconds(startedAt)} s`,
    );
    console.log(
      `load average at end: ${loadavg()
        .map((n) => n.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    await client.end();
    // FORCE: the audit write's connection pool (db-hot-query.ts) still holds a connection.
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
