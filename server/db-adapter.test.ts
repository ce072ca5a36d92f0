import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "./db-adapter";

// The Prisma CLI asks for its adapter twice per command: two PGlite instances on one empty directory
// would both run initdb, and `migrate deploy` sometimes left an empty database behind.

const dir = mkdtempSync(path.join(tmpdir(), "tumiki-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openPglite", () => {
  it("gives one instance per data directory in a process, and a new one once it is closed", async () => {
    const first = openPglite(dir);
    expect(openPglite(path.join(dir, "."))).toBe(first);

    await first.exec("CREATE TABLE kept (id int)");
    await first.close();
    const reopened = openPglite(dir);
    expect(reopened).not.toBe(first);
    const { rows } = await reopened.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'kept'",
    );
    expect(rows[0]?.n).toBe(1);
    await reopened.close();
  });
});
