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

  describe("logs", () => {
    const LOG = { maxLen: 100, ttlMs: 60_000 };
    const T = Date.UTC(2026, 0, 1);

    it("numbers entries as Redis does: <ms>-<seq>, never going back within a log", async () => {
      expect(await store.appendLog("log", "a", LOG)).toBe(`${T}-0`);
      expect(await store.appendLog("log", "b", LOG)).toBe(`${T}-1`);
      vi.advanceTimersByTime(5);
      expect(await store.appendLog("log", "c", LOG)).toBe(`${T + 5}-0`);
      // A clock that steps back keeps the last millisecond and counts on.
      vi.setSystemTime(T + 1);
      expect(await store.appendLog("log", "d", LOG)).toBe(`${T + 5}-1`);
      expect(await store.lastLogId("log")).toBe(`${T + 5}-1`);
      expect(await store.readLog("log", `${T}-1`, 10)).toEqual([
        { id: `${T + 5}-0`, value: "c" },
        { id: `${T + 5}-1`, value: "d" },
      ]);
      // Another log numbers on its own.
      expect(await store.appendLog("other", "x", LOG)).toBe(`${T + 1}-0`);
    });

    it("trims to exactly maxLen, dropping the oldest", async () => {
      for (const value of ["a", "b", "c", "d", "e"])
        await store.appendLog("log", value, { ...LOG, maxLen: 3 });
      expect((await store.readLog("log", "0", 10)).map((entry) => entry.value)).toEqual(["c", "d", "e"]);
    });

    it("expires the whole log ttlMs after its latest append; a new log numbers from the clock again", async () => {
      await store.appendLog("log", "a", { ...LOG, ttlMs: 1_000 });
      vi.advanceTimersByTime(600);
      await store.appendLog("log", "b", { ...LOG, ttlMs: 1_000 });
      vi.advanceTimersByTime(999);
      expect(await store.pttl("log")).toBe(1);
      expect((await store.readLog("log", "0", 10)).map((entry) => entry.value)).toEqual(["a", "b"]);
      vi.advanceTimersByTime(1);
      expect(await store.readLog("log", "0", 10)).toEqual([]);
      expect(await store.lastLogId("log")).toBe("0");
      expect(await store.pttl("log")).toBe(-2);
      vi.setSystemTime(T);
      expect(await store.appendLog("log", "c", LOG)).toBe(`${T}-0`);
    });

    it("wakes watchers on a microtask after the append, never inside it", async () => {
      let wakes = 0;
      const stop = await store.watchLog("log", () => {
        wakes += 1;
      });
      const appended = store.appendLog("log", "a", LOG);
      expect(wakes).toBe(0);
      await appended;
      expect(wakes).toBe(1);
      await store.appendLog("other", "a", LOG);
      expect(wakes).toBe(1);
      stop();
      await store.appendLog("log", "b", LOG);
      expect(wakes).toBe(1);
    });

    it("keeps logs and strings apart in one key space, as Redis types do", async () => {
      await store.appendLog("log", "a", LOG);
      await expect(store.get("log")).rejects.toThrow(/WRONGTYPE/);
      await expect(store.incr("log")).rejects.toThrow(/WRONGTYPE/);
      await expect(store.deleteIfEquals("log", "a")).rejects.toThrow(/WRONGTYPE/);
      expect(await store.set("log", "nx", { nx: true })).toBe(false);
      // SET replaces a key of any type, as in Redis.
      expect(await store.set("log", "string")).toBe(true);
      expect(await store.get("log")).toBe("string");
      await expect(store.lastLogId("log")).rejects.toThrow(/WRONGTYPE/);
      await store.deleteLog("log");
      expect(await store.get("log")).toBeNull();
    });

    it("forgets its watchers when closed", async () => {
      let wakes = 0;
      await store.watchLog("log", () => {
        wakes += 1;
      });
      await store.close();
      await store.appendLog("log", "a", LOG);
      expect(wakes).toBe(0);
    });
  });

  it("deletes at once on a non-positive pexpire and refuses a non-positive px", async () => {
    await store.set("k", "v");
    expect(await store.pexpire("k", 0)).toBe(true);
    expect(await store.get("k")).toBeNull();
    await expect(store.set("k", "v", { px: 0 })).rejects.toThrow(/invalid expire time/);
  });
});
