import { describe, expect, it } from "vitest";
import { readMetricValue } from "../testing/read-metric-value";
import { countRedisErrors } from "./count-redis-errors";
import { createIoredisStore } from "./create-ioredis-store";
import { createMemoryStore } from "./create-memory-store";

// Failed Redis operations are counted once each, whatever the caller does with the error; the store
// still behaves as before (same answers, same rejections).

describe("countRedisErrors", () => {
  it("counts each operation a Redis that cannot be reached rejects, and passes the error on", async () => {
    // Port 1: nothing listens there, the connection is refused.
    const store = countRedisErrors(createIoredisStore({ url: "redis://127.0.0.1:1" }));
    try {
      const before = await readMetricValue("tumiki_redis_errors_total");
      await expect(store.get("k")).rejects.toThrow();
      await expect(store.set("k", "v", { px: 1000 })).rejects.toThrow();
      expect(await readMetricValue("tumiki_redis_errors_total")).toBe(before + 2);
    } finally {
      await store.close();
    }
  });

  it("counts nothing when operations succeed", async () => {
    const store = countRedisErrors(createMemoryStore());
    const before = await readMetricValue("tumiki_redis_errors_total");
    expect(await store.set("k", "v")).toBe(true);
    expect(await store.get("k")).toBe("v");
    expect(await store.incr("n")).toBe(1);
    expect(store.kind).toBe("memory");
    expect(await readMetricValue("tumiki_redis_errors_total")).toBe(before);
    await store.close();
  });
});
