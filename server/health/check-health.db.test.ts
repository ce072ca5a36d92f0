import { afterEach, describe, expect, it, vi } from "vitest";
import { checkHealth } from "./check-health";

describe("checkHealth", () => {
  afterEach(() => {
    vi.resetModules();
  });

  it("reports the database and the Redis store as up, with their kinds", async () => {
    const health = await checkHealth();
    expect(health.status).toBe("ok");
    expect(health.database).toMatchObject({
      status: "ok",
      kind: process.env.DATABASE_URL ? "postgres" : "pglite",
    });
    expect(health.redis.status).toBe("ok");
  });

  it("reports degraded, without hosts or credentials, when Redis is unreachable", async () => {
    vi.resetModules();
    const previous = process.env.REDIS_URL;
    process.env.REDIS_URL = "redis://user:hunter2-secret@127.0.0.1:1";
    try {
      const { resetEnvCache } = await import("../env");
      resetEnvCache();
      const { checkHealth: check } = await import("./check-health");
      const { getRedis } = await import("../redis");
      const health = await check().finally(() => getRedis().close());
      expect(health.status).toBe("degraded");
      expect(health.redis).toMatchObject({ status: "down", kind: "redis" });
      expect(JSON.stringify(health)).not.toMatch(/hunter2|127\.0\.0\.1/);
    } finally {
      if (previous === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = previous;
    }
  });
});
