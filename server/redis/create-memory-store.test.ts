import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getLogger } from "../logger";
import type { RedisStore } from "../redis";
import { createMemoryStore } from "./create-memory-store";

describe("createMemoryStore", () => {
  let store: RedisStore;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    store = createMemoryStore();
  });
  afterEach(async () => {
    await store.close();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("warns once, at creation, that it only serves one process", async () => {
    const warn = vi.spyOn(getLogger(), "warn");
    const another = createMemoryStore();
    await another.set("k", "v");
    await another.get("k");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain(
      "single process only; set REDIS_URL or UPSTASH_REDIS_REST_URL",
    );
    await another.close();
  });

  it("expires a px key exactly when its time is up", async () => {
    await store.set("k", "v", { px: 1_000 });
    vi.advanceTimersByTime(999);
    expect(await store.get("k")).toBe("v");
    expect(await store.pttl("k")).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await store.get("k")).toBeNull();
    expect(await store.pttl("k")).toBe(-2);
    expect(await store.del("k")).toBe(0);
    expect(await store.deleteIfEquals("k", "v")).toBe(false);
  });

  it("lets nx take an expired key, as a lock whose holder died", async () => {
    expect(await store.set("lock", "a", { px: 500, nx: true })).toBe(true);
    expect(await store.set("lock", "b", { px: 500, nx: true })).toBe(false);
    vi.advanceTimersByTime(500);
    expect(await store.set("lock", "b", { px: 500, nx: true })).toBe(true);
    expect(await store.deleteIfEquals("lock", "a")).toBe(false);
    expect(await store.get("lock")).toBe("b");
  });

  it("counts from zero again once a counter with an expiry is gone, and incr keeps the expiry", async () => {
    expect(await store.incr("n")).toBe(1);
    await store.pexpire("n", 1_000);
    vi.advanceTimersByTime(400);
    expect(await store.incr("n")).toBe(2);
    expect(await store.pttl("n")).toBe(600);
    vi.advanceTimersByTime(600);
    expect(await store.incr("n")).toBe(1);
    expect(await store.pttl("n")).toBe(-1);
  });

  it("deletes at once on a non-positive pexpire and refuses a non-positive px", async () => {
    await store.set("k", "v");
    expect(await store.pexpire("k", 0)).toBe(true);
    expect(await store.get("k")).toBeNull();
    await expect(store.set("k", "v", { px: 0 })).rejects.toThrow(/invalid expire time/);
  });
});
