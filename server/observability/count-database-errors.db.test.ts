import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDbClient, getDb } from "../db";
import { queryHotRows, sql } from "../db-hot-query";
import { readMetricValue } from "../testing/read-metric-value";

// tumiki_database_errors_total counts the database failing (no connection, a statement it rejects), not
// the answers the code asks for on purpose: a row that is not there is how an update learns it lost a
// race, and is handled where it happens.

const NAME = "tumiki_database_errors_total";

describe("database error counting", () => {
  it("does not count a query's own answer (record not found, P2025)", async () => {
    const before = await readMetricValue(NAME);
    await expect(
      getDb().user.update({ where: { id: randomUUID() }, data: { name: "nobody" } }),
    ).rejects.toMatchObject({ code: "P2025" });
    expect(await readMetricValue(NAME)).toBe(before);
  });

  it("counts a database that cannot be reached", async () => {
    // Port 1: nothing listens there.
    const unreachable = createDbClient({
      kind: "postgres",
      url: "postgresql://postgres@127.0.0.1:1/postgres",
    });
    const before = await readMetricValue(NAME);
    await expect(unreachable.user.count()).rejects.toThrow();
    expect(await readMetricValue(NAME)).toBe(before + 1);
    await unreachable.$disconnect();
  });

  it("counts a failed statement of the hot path (sent straight to the driver)", async () => {
    const before = await readMetricValue(NAME);
    await expect(queryHotRows(sql`SELECT * FROM "NoSuchTable" WHERE "id" = ${"x"}`)).rejects.toThrow();
    expect(await readMetricValue(NAME)).toBe(before + 1);
    expect(await queryHotRows<{ one: number }>(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
    expect(await readMetricValue(NAME)).toBe(before + 1);
  });
});
