import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "../server/testing/apply-migrations";

// Plan task 1.4: every migration can be rolled back. Each one ships a down.sql (npm run db:down-sql);
// this applies up → down → up on a database of its own (a fresh PostgreSQL database, or PGlite),
// checks that down leaves nothing behind and that the schema after the way back up still enforces the
// plan's defaults and constraints.

type Sql = { exec(sql: string): Promise<void>; rows<T>(sql: string): Promise<T[]>; close(): Promise<void> };

async function openFreshDatabase(): Promise<Sql> {
  const baseUrl = process.env.TUMIKI_TEST_BASE_DATABASE_URL;
  if (!baseUrl) {
    const db = new PGlite();
    return {
      exec: async (sql) => void (await db.exec(sql)),
      rows: async <T>(sql: string) => (await db.query<T>(sql)).rows,
      close: () => db.close(),
    };
  }
  const name = `tumiki_rollback_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    exec: async (sql) => void (await client.query(sql)),
    rows: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    close: async () => {
      await client.end();
      await admin.query(`DROP DATABASE "${name}"`);
      await admin.end();
    },
  };
}

const migrations = readMigrations();
let db: Sql;

const tables = () =>
  db.rows<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
const enumTypes = () =>
  db.rows<{ typname: string }>(
    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'",
  );

beforeAll(async () => {
  db = await openFreshDatabase();
});

afterAll(async () => {
  await db?.close();
});

describe("migrations", () => {
  it("each migration has a down.sql", () => {
    const missing = migrations.filter((m) => !m.down).map((m) => m.name);
    expect(missing, "run `npm run db:down-sql` to generate the missing down.sql files").toEqual([]);
  });

  it("apply up → down → up, leaving nothing behind on the way down", async () => {
    for (const migration of migrations) await db.exec(migration.up);
    const created = await tables();
    expect(created.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["User", "McpServer", "OAuthClient", "OAuthToken", "McpApiKey", "AuditLog"]),
    );

    for (const migration of [...migrations].reverse()) await db.exec(migration.down ?? "");
    expect(await tables()).toEqual([]);
    expect(await enumTypes()).toEqual([]);

    for (const migration of migrations) await db.exec(migration.up);
    expect(await tables()).toEqual(created);
  });

  it("keeps the constraints the plan asks for after a round trip", async () => {
    await db.exec(`INSERT INTO "User" (id, email, "updatedAt") VALUES ('u1', 'a@example.com', now())`);
    await db.exec(
      `INSERT INTO "McpServer" (id, name, slug, url, "updatedAt") VALUES ('s1', 'Notes', 'notes', 'https://n.example/mcp', now())`,
    );
    await db.exec(
      `INSERT INTO "UserMcpConfig" (id, "userId", "mcpServerId", "updatedAt") VALUES ('c1', 'u1', 's1', now())`,
    );
    await db.exec(
      `INSERT INTO "OAuthClient" (id, "mcpServerId", issuer, "registrationType", "clientId", "authorizationServerUrl", "tokenEndpoint", "authorizationEndpoint", "updatedAt")
       VALUES ('o1', 's1', 'https://as.example', 'DCR', 'enc', 'https://as.example', 'https://as.example/t', 'https://as.example/a', now())`,
    );
    const token = (id: string, purpose?: string) =>
      db.exec(
        `INSERT INTO "OAuthToken" (id, "userMcpConfigId", "oauthClientId", ${purpose ? '"tokenPurpose", ' : ""}"accessToken", "updatedAt")
         VALUES ('${id}', 'c1', 'o1', ${purpose ? `'${purpose}', ` : ""}'enc', now())`,
      );
    await token("t1");
    const [row] = await db.rows<{ tokenPurpose: string; isValid: boolean; refreshCount: number }>(
      `SELECT "tokenPurpose", "isValid", "refreshCount" FROM "OAuthToken" WHERE id = 't1'`,
    );
    expect(row).toEqual({ tokenPurpose: "backend_mcp", isValid: true, refreshCount: 0 });
    // @@unique([userMcpConfigId, tokenPurpose])
    await expect(token("t2")).rejects.toThrow(/unique/i);
    await token("t3", "tumiki_client");
    // A second registration for the same server and issuer is refused; another issuer is a new row.
    await expect(
      db.exec(
        `INSERT INTO "OAuthClient" (id, "mcpServerId", issuer, "registrationType", "clientId", "authorizationServerUrl", "tokenEndpoint", "authorizationEndpoint", "updatedAt")
         VALUES ('o2', 's1', 'https://as.example', 'DCR', 'enc', 'x', 'x', 'x', now())`,
      ),
    ).rejects.toThrow(/unique/i);
    await db.exec(
      `INSERT INTO "McpInstance" (id, "userId", name, "updatedAt") VALUES ('i1', 'u1', 'Work', now())`,
    );
    await db.exec(
      `INSERT INTO "McpApiKey" (id, "userId", "instanceId", name, prefix, "keyHash") VALUES ('k1', 'u1', 'i1', 'ci', 'tumiki_ab', 'h')`,
    );
    const [key] = await db.rows<{ scopes: string[] }>(`SELECT scopes FROM "McpApiKey" WHERE id = 'k1'`);
    expect(key?.scopes).toEqual([]);
    // Deleting the user removes what it owns.
    await db.exec(`DELETE FROM "User" WHERE id = 'u1'`);
    expect(await db.rows(`SELECT id FROM "OAuthToken"`)).toEqual([]);
  });
});
