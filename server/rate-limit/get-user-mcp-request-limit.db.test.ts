import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "../db";
import { createTestUser } from "../testing/tier1-fixtures";
import { getUserMcpRequestLimit, USER_LIMIT_CACHE_MS } from "./get-user-mcp-request-limit";

// The per-user /mcp limit is read through a short in-process cache: an operator's change must reach
// the /mcp route within USER_LIMIT_CACHE_MS, and not a request sooner (each process reads the row at
// most once per user in that time). Only Date is faked: the database driver keeps its real timers.

describe("getUserMcpRequestLimit", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is null for a user on the default, and the operator's number otherwise", async () => {
    const ordinary = await createTestUser();
    const raised = await createTestUser();
    await getDb().user.update({ where: { id: raised.id }, data: { mcpRequestLimit: 5000 } });
    expect(await getUserMcpRequestLimit({ userId: ordinary.id })).toBeNull();
    expect(await getUserMcpRequestLimit({ userId: raised.id })).toBe(5000);
    expect(await getUserMcpRequestLimit({ userId: "no-such-user" })).toBeNull();
  });

  it("applies a change once the cached answer is USER_LIMIT_CACHE_MS old, not before", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const user = await createTestUser();
    await getDb().user.update({ where: { id: user.id }, data: { mcpRequestLimit: 3 } });
    expect(await getUserMcpRequestLimit({ userId: user.id })).toBe(3);

    await getDb().user.update({ where: { id: user.id }, data: { mcpRequestLimit: 7 } });
    vi.setSystemTime(Date.now() + USER_LIMIT_CACHE_MS - 1_000);
    expect(await getUserMcpRequestLimit({ userId: user.id })).toBe(3);

    vi.setSystemTime(Date.now() + 1_000);
    expect(await getUserMcpRequestLimit({ userId: user.id })).toBe(7);

    await getDb().user.update({ where: { id: user.id }, data: { mcpRequestLimit: null } });
    vi.setSystemTime(Date.now() + USER_LIMIT_CACHE_MS);
    expect(await getUserMcpRequestLimit({ userId: user.id })).toBeNull();
  });
});
