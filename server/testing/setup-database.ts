import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll } from "vitest";
import { openPglite } from "../db-adapter";
import { readMigrations } from "./apply-migrations";

// For *.db.test.ts: each test file gets a database of its own, built from the committed migrations.
// With DATABASE_URL (CI, this machine) that is a fresh schema in the real PostgreSQL, dropped after
// the file; without it, an embedded PGlite database in a temporary directory.

const baseUrl = process.env.DATABASE_URL;

if (baseUrl) {
  // Kept for tests that need a whole database of their own (prisma/migrations.db.test.ts).
  process.env.TUMIKI_TEST_BASE_DATABASE_URL = baseUrl;
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(`SET search_path TO "${schema}"`);
  for (const migration of readMigrations()) await client.query(migration.up);
  await client.end();
  const url = new URL(baseUrl);
  url.searchParams.set("schema", schema);
  process.env.DATABASE_URL = url.toString();

  afterAll(async () => {
    const { getDb } = await import("../db");
    await getDb().$disconnect();
    const cleanup = new pg.Client({ connectionString: baseUrl });
    await cleanup.connect();
    await cleanup.query(`DROP SCHEMA "${schema}" CASCADE`);
    await cleanup.end();
  });
} else {
  const dir = mkdtempSync(path.join(tmpdir(), "tumiki-test-db-"));
  const pglite = openPglite(dir);
  for (const migration of readMigrations()) await pglite.exec(migration.up);
  await pglite.close();
  process.env.PGLITE_DATA_DIR = dir;

  afterAll(async () => {
    const { getDb } = await import("../db");
    await getDb().$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
}
