import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Migration SQL in the order Prisma applies it, for tests that build a database from scratch.

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "..", "..", "prisma", "migrations");

export type Migration = { name: string; up: string; down: string | undefined };

export function readMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = path.join(MIGRATIONS_DIR, name);
      const read = (file: string) => {
        try {
          return readFileSync(path.join(dir, file), "utf8");
        } catch {
          return undefined;
        }
      };
      return { name, up: read("migration.sql") ?? "", down: read("down.sql") };
    });
}
