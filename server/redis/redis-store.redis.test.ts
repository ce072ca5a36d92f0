import { createHash, randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis as UpstashRedis } from "@upstash/redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getEnv } from "../env";
import type { RedisKind, RedisStore } from "../redis";
import { startUpstashStandin, type UpstashStandin } from "../testing/upstash-rest-standin";
import { createIoredisStore } from "./create-ioredis-store";
import { createMemoryStore } from "./create-memory-store";
import { createUpstashStore } from "./create-upstash-store";

// One contract, three backends: whatever the product builds on RedisStore (token cache, lock,
// counters) behaves the same on Upstash (through the REST stand-in on the real Redis), a self-hosted
// Redis and the in-memory fallback.

const redisUrl = getEnv().REDIS_URL;
if (!redisUrl) throw new Error("*.redis.test.ts needs REDIS_URL (e.g. redis://127.0.0.1:6379)");

const token = randomBytes(16).toString("hex");
const CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:1";

// The first line is what Redis 7.0 rejects; @upstash/ratelimit's scripts all start with it.
const RATELIMIT_STYLE_SCRIPT = `#!lua flags=allow-key-locking
local count = redis.call("INCRBY", KEYS[1], ARGV[1])
return {count, tonumber(ARGV[2])}
`;

let standin: UpstashStandin;
const stores = {} as Record<RedisKind, RedisStore>;

beforeAll(async () => {
  standin = await startUpstashStandin({ redisUrl, token });
  stores.memory = createMemoryStore();
  stores.redis = createIoredisStore({ url: redisUrl });
  stores.upstash = createUpstashStore({ url: standin.url, token });
});

afterAll(async () => {
  await Promise.all(Object.values(stores).map((store) => store.close()));
  await standin?.close();
});

describe.each(["memory", "redis", "upstash"] as const)("RedisStore contract: %s", (kind) => {
  let store: RedisStore;
  let prefix: string;
  const key = (name: string) => `test:${prefix}:${name}`;

  beforeEach(() => {
    store = stores[kind];
    prefix = randomUUID();
  });

  it("reports its kind and answers ping", async () => {
    expect(store.kind).toBe(kind);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("returns null for a missing key and round-trips values as exact strings", async () => {
    expect(await store.get(key("missing"))).toBeNull();
    // Values a JSON-parsing client or a naive base64 decoder would change.
    for (const value of ["123", '{"a":1}', "OK", "true", "ünïcødé ✓ 🚀", "   "]) {
      expect(await store.set(key("value"), value)).toBe(true);
      expect(await store.get(key("value"))).toBe(value);
    }
  });

  it("set with nx writes only when the key is absent", async () => {
    expect(await store.set(key("lock"), "owner-a", { nx: true })).toBe(true);
    expect(await store.set(key("lock"), "owner-b", { nx: true })).toBe(false);
    expect(await store.get(key("lock"))).toBe("owner-a");
  });

  it("set with px expires the key, and nx succeeds again after expiry", async () => {
    expect(await store.set(key("ttl"), "v", { px: 400, nx: true })).toBe(true);
    expect(await store.get(key("ttl"))).toBe("v");
    const pttl = await store.pttl(key("ttl"));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(400);
    await sleep(600);
    expect(await store.get(key("ttl"))).toBeNull();
    expect(await store.pttl(key("ttl"))).toBe(-2);
    expect(await store.set(key("ttl"), "w", { nx: true })).toBe(true);
  });

  it("set without px clears a previous expiry", async () => {
    await store.set(key("k"), "a", { px: 60_000 });
    await store.set(key("k"), "b");
    expect(await store.pttl(key("k"))).toBe(-1);
  });

  it("del deletes the given keys and counts only those that existed", async () => {
    await store.set(key("a"), "1");
    await store.set(key("b"), "2");
    expect(await store.del(key("a"), key("b"), key("never"))).toBe(2);
    expect(await store.get(key("a"))).toBeNull();
    expect(await store.get(key("b"))).toBeNull();
    expect(await store.del()).toBe(0);
  });

  it("incr counts from zero, keeps the expiry and rejects a non-integer", async () => {
    expect(await store.incr(key("n"))).toBe(1);
    expect(await store.incr(key("n"))).toBe(2);
    expect(await store.get(key("n"))).toBe("2");
    expect(await store.pexpire(key("n"), 60_000)).toBe(true);
    expect(await store.incr(key("n"))).toBe(3);
    expect(await store.pttl(key("n"))).toBeGreaterThan(50_000);
    await store.set(key("text"), "abc");
    await expect(store.incr(key("text"))).rejects.toThrow(/not an integer/);
  });

  it("pexpire and pttl follow Redis: -2 missing, -1 persistent, remaining ms otherwise", async () => {
    expect(await store.pttl(key("p"))).toBe(-2);
    expect(await store.pexpire(key("p"), 1_000)).toBe(false);
    await store.set(key("p"), "v");
    expect(await store.pttl(key("p"))).toBe(-1);
    expect(await store.pexpire(key("p"), 5_000)).toBe(true);
    const pttl = await store.pttl(key("p"));
    expect(pttl).toBeGreaterThan(4_000);
    expect(pttl).toBeLessThanOrEqual(5_000);
  });

  it("deleteIfEquals deletes only when the value matches", async () => {
    await store.set(key("lock"), "token-1");
    expect(await store.deleteIfEquals(key("lock"), "token-2")).toBe(false);
    expect(await store.get(key("lock"))).toBe("token-1");
    expect(await store.deleteIfEquals(key("lock"), "token-1")).toBe(true);
    expect(await store.get(key("lock"))).toBeNull();
    expect(await store.deleteIfEquals(key("lock"), "token-1")).toBe(false);
  });

  it("sees only its own keys: another prefix is untouched", async () => {
    const otherKey = `test:${randomUUID()}:shared`;
    await store.set(otherKey, "other");
    await store.set(key("shared"), "mine");
    await store.del(key("shared"));
    expect(await store.get(otherKey)).toBe("other");
    await store.del(otherKey);
  });
});

describe.each(["redis", "upstash"] as const)("Lua for @upstash/ratelimit: %s", (kind) => {
  it("evalsha of an unknown script rejects with NOSCRIPT; eval strips the flags line; evalsha then works", async () => {
    const lua = stores[kind].lua;
    if (!lua) throw new Error(`${kind} must offer Lua`);
    const counter = `test:${randomUUID()}:lua`;
    // A sha no Redis has seen, so the first evalsha exercises the fallback path whatever ran before.
    const script = `${RATELIMIT_STYLE_SCRIPT}-- ${randomUUID()}\n`;
    const upstashSha = createHash("sha1").update(script).digest("hex");

    await expect(lua.evalsha(upstashSha, [counter], [1, 10])).rejects.toThrow(/NOSCRIPT/);
    expect(await lua.eval(script, [counter], [1, 10])).toEqual([1, 10]);
    expect(await lua.evalsha(upstashSha, [counter], [2, 10])).toEqual([3, 10]);
    await stores[kind].del(counter);
  });
});

describe("an unreachable backend fails fast instead of hanging", () => {
  it("ioredis at a closed port rejects every operation, the first and the later ones", async () => {
    const store = createIoredisStore({ url: CLOSED_PORT_REDIS_URL });
    try {
      await expect(store.get("test:any")).rejects.toThrow();
      await expect(store.set("test:any", "v", { nx: true, px: 1_000 })).rejects.toThrow();
      await expect(store.incr("test:any")).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
    } finally {
      await store.close();
    }
  }, 10_000);

  it("a Redis that accepts connections but never answers rejects instead of hanging", async () => {
    const silent = createServer(() => {});
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const store = createIoredisStore({ url: `redis://127.0.0.1:${(silent.address() as AddressInfo).port}` });
    try {
      await expect(store.get("test:any")).rejects.toThrow();
      await expect(store.set("test:any", "v")).rejects.toThrow();
    } finally {
      await store.close();
      silent.close();
    }
  }, 10_000);

  it("an Upstash endpoint that never answers rejects instead of hanging", async () => {
    const silent = createHttpServer(() => {});
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const store = createUpstashStore({
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      token,
    });
    try {
      await expect(store.get("test:any")).rejects.toThrow();
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  }, 10_000);

  it("Upstash at a closed port rejects", async () => {
    const store = createUpstashStore({ url: "http://127.0.0.1:1", token });
    await expect(store.get("test:any")).rejects.toThrow();
  }, 10_000);
});

describe("Upstash REST stand-in", () => {
  it("refuses a wrong token with 401", async () => {
    const response = await fetch(standin.url, {
      method: "POST",
      headers: { authorization: "Bearer wrong", "content-type": "application/json" },
      body: JSON.stringify(["PING"]),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Unauthorized" });
    const store = createUpstashStore({ url: standin.url, token: "wrong" });
    await expect(store.get("test:any")).rejects.toThrow(/Unauthorized/);
  });

  it("answers plain JSON without the base64 header, and errors as { error } with status 400", async () => {
    const post = (body: unknown) =>
      fetch(standin.url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const k = `test:${randomUUID()}:raw`;
    expect(await (await post(["SET", k, "héllo"])).json()).toEqual({ result: "OK" });
    expect(await (await post(["GET", k])).json()).toEqual({ result: "héllo" });
    const failed = await post(["INCR", k]);
    expect(failed.status).toBe(400);
    expect(await failed.json()).toEqual({ error: expect.stringMatching(/not an integer/) });
    await post(["DEL", k]);
  });

  it("SCRIPT LOAD of a flagged script answers the original sha, which EVALSHA then accepts", async () => {
    const client = new UpstashRedis({ url: standin.url, token, enableTelemetry: false });
    const script = `${RATELIMIT_STYLE_SCRIPT}-- ${randomUUID()}\n`;
    const sha = await client.scriptLoad(script);
    expect(sha).toBe(createHash("sha1").update(script).digest("hex"));
    const counter = `test:${randomUUID()}:loaded`;
    expect(await client.evalsha(sha, [counter], [4, 10])).toEqual([4, 10]);
    await client.del(counter);
  });

  it("runs pipelines and multi-exec transactions through the real client", async () => {
    const client = new UpstashRedis({ url: standin.url, token, enableTelemetry: false });
    const k = `test:${randomUUID()}:tx`;
    expect(await client.multi().set(k, "5").incr(k).get(k).exec()).toEqual(["OK", 6, 6]);
    expect(await client.pipeline().incr(k).del(k).exec()).toEqual([7, 1]);
  });
});
