import { afterEach, describe, expect, it, vi } from "vitest";

// getRedis() picks the backend from the environment once per process; each case loads fresh modules
// so env.ts parses the variables it sets.

const VARIABLES = ["REDIS_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

const loadWith = async (values: Partial<Record<(typeof VARIABLES)[number], string>>) => {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  vi.resetModules();
  return import("../redis");
};

describe("getRedis", () => {
  afterEach(async () => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    vi.resetModules();
  });

  it("prefers Upstash when its REST URL is set, even with REDIS_URL", async () => {
    const { getRedis } = await loadWith({
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1",
      UPSTASH_REDIS_REST_TOKEN: "t",
      REDIS_URL: "redis://127.0.0.1:1",
    });
    expect(getRedis().kind).toBe("upstash");
    expect(getRedis()).toBe(getRedis());
  });

  it("uses REDIS_URL without Upstash, without connecting until first use", async () => {
    const { getRedis } = await loadWith({ REDIS_URL: "redis://127.0.0.1:1" });
    const store = getRedis();
    expect(store.kind).toBe("redis");
    expect(store.lua).not.toBeNull();
    await store.close();
  });

  it("falls back to memory, without Lua, when neither is set", async () => {
    const { getRedis } = await loadWith({});
    const store = getRedis();
    expect(store.kind).toBe("memory");
    expect(store.lua).toBeNull();
    await store.close();
  });
});
