import { createHash, randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getEnv } from "../env";
import { getLogger } from "../logger";
import type { RedisKind, RedisStore } from "../redis";
import { startUpstashStandin, type UpstashStandin } from "../testing/upstash-rest-standin";
import { createIoredisStore } from "./create-ioredis-store";
import { createMemoryStore } from "./create-memory-store";
import { createUpstashStore } from "./create-upstash-store";
import { logWakeChannel } from "./log-wake-channel";

// One contract, three backends: whatever the product builds on RedisStore (token cache, lock,
// counters, cross-process logs) behaves the same on Upstash (through the REST stand-in on the real
// Redis), a self-hosted Redis and the in-memory fallback. Each store has a peer, another store on the
// same data as another process would hold it (the memory store's peer is itself: it has no other).

const redisUrl = getEnv().REDIS_URL;
if (!redisUrl) throw new Error("*.redis.test.ts needs REDIS_URL (e.g. redis://127.0.0.1:6379)");

const token = randomBytes(16).toString("hex");
const CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:1";

// The first line is what Redis 7.0 rejects; @upstash/ratelimit's scripts all start with it.
const RATELIMIT_STYLE_SCRIPT = `#!lua flags=allow-key-locking
local count = redis.call("INCRBY", KEYS[1], ARGV[1])
return {count, tonumber(ARGV[2])}
`;

const LOG = { maxLen: 100, ttlMs: 60_000 };

const parseId = (id: string) => id.split("-").map(BigInt) as [bigint, bigint];
const isBefore = (a: string, b: string) => {
  const [aMs, aSeq] = parseId(a);
  const [bMs, bSeq] = parseId(b);
  return aMs < bMs || (aMs === bMs && aSeq < bSeq);
};

let standin: UpstashStandin;
let admin: Redis;
const stores = {} as Record<RedisKind, RedisStore>;
const peers = {} as Record<RedisKind, RedisStore>;

beforeAll(async () => {
  standin = await startUpstashStandin({ redisUrl, token });
  admin = new Redis(redisUrl);
  stores.memory = createMemoryStore();
  stores.redis = createIoredisStore({ url: redisUrl });
  stores.upstash = createUpstashStore({ url: standin.url, token });
  peers.memory = stores.memory;
  peers.redis = createIoredisStore({ url: redisUrl });
  peers.upstash = createUpstashStore({ url: standin.url, token });
});

afterAll(async () => {
  await Promise.all([...new Set([...Object.values(stores), ...Object.values(peers)])].map((s) => s.close()));
  await standin?.close();
  await admin?.quit();
});

/** Subscribers of a log's wake channel in the whole Redis, as Redis counts them. */
const countSubscribers = async (key: string) => {
  const [, count] = (await admin.call("PUBSUB", "NUMSUB", logWakeChannel(key))) as [string, number];
  return count;
};

/** Watches a log from the peer until a wake arrives: proof that an append's wake was delivered. */
const appendAndAwaitDelivery = async (peer: RedisStore, logKey: string, value: string) => {
  let delivered = 0;
  const stop = await peer.watchLog(logKey, () => {
    delivered += 1;
  });
  try {
    await peer.appendLog(logKey, value, LOG);
    await vi.waitFor(() => expect(delivered).toBe(1), { timeout: 3_000, interval: 10 });
    // The peer's wake and another connection's wake leave Redis together; allow the other one to land.
    await sleep(150);
  } finally {
    stop();
  }
};

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

  describe("logs", () => {
    let peer: RedisStore;
    beforeEach(() => {
      peer = peers[kind];
    });

    const appendAll = async (logKey: string, values: string[], options = LOG) => {
      const ids: string[] = [];
      for (const value of values) ids.push(await store.appendLog(logKey, value, options));
      return ids;
    };

    it("appendLog resolves increasing <ms>-<seq> ids; readLog returns exact values oldest first", async () => {
      const values = [
        "123",
        '{"jsonrpc":"2.0"}',
        "",
        "line\nbreak",
        "ünïcødé ✓ 🚀",
        "OK",
        ...Array(14).fill("x"),
      ];
      const ids = await appendAll(key("log"), values);
      for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
      expect(ids.slice(1).every((id, i) => isBefore(ids[i] as string, id))).toBe(true);
      expect(await store.readLog(key("log"), "0", 100)).toEqual(
        values.map((value, i) => ({ id: ids[i], value })),
      );
      expect(await peer.readLog(key("log"), "0", 100)).toEqual(await store.readLog(key("log"), "0", 100));
    });

    it("readLog returns only entries after the given id, in order, at most count", async () => {
      const ids = await appendAll(key("log"), ["a", "b", "c", "d", "e", "f"]);
      const at = (i: number) => ids[i] as string;
      expect(await store.readLog(key("log"), at(1), 3)).toEqual([
        { id: at(2), value: "c" },
        { id: at(3), value: "d" },
        { id: at(4), value: "e" },
      ]);
      expect(await store.readLog(key("log"), "0", 2)).toEqual([
        { id: at(0), value: "a" },
        { id: at(1), value: "b" },
      ]);
      expect(await store.readLog(key("log"), at(4), 10)).toEqual([{ id: at(5), value: "f" }]);
      expect(await store.readLog(key("log"), at(5), 10)).toEqual([]);
      // "<ms>" alone reads as "<ms>-0", as XRANGE does: everything after the first id's millisecond start.
      const [firstMs] = at(0).split("-");
      const afterMs = await store.readLog(key("log"), firstMs as string, 10);
      expect(afterMs.map((entry) => entry.id)).toEqual(ids.filter((id) => isBefore(`${firstMs}-0`, id)));
      expect(await store.readLog(key("log"), "18446744073709551615", 10)).toEqual([]);
      expect(await store.readLog(key("missing"), "0", 10)).toEqual([]);
    });

    it("rejects a malformed id and non-positive counts or options, the same way on every backend", async () => {
      await store.appendLog(key("log"), "a", LOG);
      for (const bad of ["", "abc", "1-2-3", "-1", "1-", "18446744073709551616", "1-18446744073709551616"]) {
        await expect(store.readLog(key("log"), bad, 10)).rejects.toThrow(/invalid log id/);
      }
      await expect(store.readLog(key("log"), "18446744073709551615-18446744073709551615", 1)).rejects.toThrow(
        /invalid log id/,
      );
      await expect(store.readLog(key("log"), "0", 0)).rejects.toThrow(/count must be a positive integer/);
      await expect(store.appendLog(key("log"), "b", { ...LOG, maxLen: 0 })).rejects.toThrow(/maxLen/);
      await expect(store.appendLog(key("log"), "b", { ...LOG, ttlMs: 0 })).rejects.toThrow(/ttlMs/);
      await expect(store.appendLog(key("log"), "b", { ...LOG, ttlMs: 1.5 })).rejects.toThrow(/ttlMs/);
      expect((await store.readLog(key("log"), "0", 10)).map((entry) => entry.value)).toEqual(["a"]);
    });

    it("maxLen keeps the newest entries (at least maxLen) and drops the oldest", async () => {
      const values = Array.from({ length: 250 }, (_, i) => `m${i}`);
      const ids = await appendAll(key("log"), values, { ...LOG, maxLen: 10 });
      const kept = await store.readLog(key("log"), "0", 1_000);
      expect(kept.length).toBeGreaterThanOrEqual(10);
      expect(kept.length).toBeLessThan(values.length);
      expect(kept).toEqual(
        values.slice(-kept.length).map((value, i) => ({ id: ids[250 - kept.length + i], value })),
      );
    });

    it("appendLog (re)sets the log's expiry; an expired log is empty and has no last id", async () => {
      await store.appendLog(key("log"), "a", { ...LOG, ttlMs: 600 });
      const pttl = await store.pttl(key("log"));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(600);
      await sleep(400);
      await store.appendLog(key("log"), "b", { ...LOG, ttlMs: 600 });
      await sleep(400);
      // 800 ms after the first append: alive only because the second one renewed the expiry.
      expect((await store.readLog(key("log"), "0", 10)).map((entry) => entry.value)).toEqual(["a", "b"]);
      await sleep(400);
      expect(await store.readLog(key("log"), "0", 10)).toEqual([]);
      expect(await store.lastLogId(key("log"))).toBe("0");
      expect(await store.pttl(key("log"))).toBe(-2);
    });

    it("lastLogId is the newest id, or 0 for a missing log", async () => {
      expect(await store.lastLogId(key("log"))).toBe("0");
      const ids = await appendAll(key("log"), ["a", "b", "c"]);
      expect(await store.lastLogId(key("log"))).toBe(ids[2]);
      expect(await peer.lastLogId(key("log"))).toBe(ids[2]);
      expect(await store.readLog(key("log"), await store.lastLogId(key("log")), 10)).toEqual([]);
    });

    it("deleteLog removes the log; a missing one is no error; the next append starts a new log", async () => {
      await appendAll(key("log"), ["a", "b"]);
      await store.deleteLog(key("log"));
      expect(await store.readLog(key("log"), "0", 10)).toEqual([]);
      expect(await store.lastLogId(key("log"))).toBe("0");
      expect(await store.pttl(key("log"))).toBe(-2);
      await expect(store.deleteLog(key("log"))).resolves.toBeUndefined();
      const id = await store.appendLog(key("log"), "c", LOG);
      expect(await store.readLog(key("log"), "0", 10)).toEqual([{ id, value: "c" }]);
    });

    it("shares the key space with strings: del and pttl apply, the wrong kind rejects with WRONGTYPE", async () => {
      await store.set(key("string"), "v");
      await expect(store.appendLog(key("string"), "a", LOG)).rejects.toThrow(/WRONGTYPE/);
      await expect(store.readLog(key("string"), "0", 10)).rejects.toThrow(/WRONGTYPE/);
      await store.appendLog(key("log"), "a", LOG);
      await expect(store.get(key("log"))).rejects.toThrow(/WRONGTYPE/);
      await expect(store.incr(key("log"))).rejects.toThrow(/WRONGTYPE/);
      expect(await store.pttl(key("log"))).toBeGreaterThan(50_000);
      expect(await store.del(key("log"))).toBe(1);
      expect(await store.lastLogId(key("log"))).toBe("0");
    });

    it("watchLog wakes on an append made through another store, and not after unsubscribing", async () => {
      let wakes = 0;
      let otherWakes = 0;
      const stop = await store.watchLog(key("log"), () => {
        wakes += 1;
      });
      const stopOther = await store.watchLog(key("other"), () => {
        otherWakes += 1;
      });
      await peer.appendLog(key("log"), "a", LOG);
      await vi.waitFor(() => expect(wakes).toBe(1), { timeout: 3_000, interval: 10 });
      await peer.appendLog(key("log"), "b", LOG);
      await vi.waitFor(() => expect(wakes).toBe(2), { timeout: 3_000, interval: 10 });
      expect(otherWakes).toBe(0);
      stop();
      stop();
      await appendAndAwaitDelivery(peer, key("log"), "c");
      expect(wakes).toBe(2);
      stopOther();
    });

    it("two watchers of one log are independent, even when they are the same function", async () => {
      let a = 0;
      let b = 0;
      const stopA = await store.watchLog(key("log"), () => {
        a += 1;
      });
      const stopB = await store.watchLog(key("log"), () => {
        b += 1;
      });
      await peer.appendLog(key("log"), "1", LOG);
      await vi.waitFor(() => expect([a, b]).toEqual([1, 1]), { timeout: 3_000, interval: 10 });
      stopA();
      stopA();
      await peer.appendLog(key("log"), "2", LOG);
      await vi.waitFor(() => expect(b).toBe(2), { timeout: 3_000, interval: 10 });
      expect(a).toBe(1);
      stopB();
      await appendAndAwaitDelivery(peer, key("log"), "3");
      expect([a, b]).toEqual([1, 2]);

      let same = 0;
      const onWake = () => {
        same += 1;
      };
      const stopFirst = await store.watchLog(key("log"), onWake);
      const stopSecond = await store.watchLog(key("log"), onWake);
      await peer.appendLog(key("log"), "4", LOG);
      await vi.waitFor(() => expect(same).toBe(2), { timeout: 3_000, interval: 10 });
      stopFirst();
      await peer.appendLog(key("log"), "5", LOG);
      await vi.waitFor(() => expect(same).toBe(3), { timeout: 3_000, interval: 10 });
      stopSecond();
    });

    it("a watcher that throws is logged and does not keep the others from waking", async () => {
      const logged = vi.spyOn(getLogger(), "error").mockImplementation(() => undefined);
      try {
        const stopThrowing = await store.watchLog(key("log"), () => {
          throw new Error("watcher failed");
        });
        let wakes = 0;
        const stop = await store.watchLog(key("log"), () => {
          wakes += 1;
        });
        await peer.appendLog(key("log"), "a", LOG);
        await vi.waitFor(() => expect(wakes).toBe(1), { timeout: 3_000, interval: 10 });
        expect(logged).toHaveBeenCalledWith(
          expect.objectContaining({ err: expect.objectContaining({ message: "watcher failed" }) }),
          expect.stringContaining("log watcher"),
        );
        stopThrowing();
        stop();
      } finally {
        logged.mockRestore();
      }
    });
  });
});

describe.each(["redis", "upstash"] as const)("log watchers in one process: %s", (kind) => {
  it("share one subscription per log, dropped when the last watcher leaves", async () => {
    const store = stores[kind];
    const logKey = `test:${randomUUID()}:log`;
    expect(await countSubscribers(logKey)).toBe(0);
    const stopA = await store.watchLog(logKey, () => undefined);
    expect(await countSubscribers(logKey)).toBe(1);
    const stopB = await store.watchLog(logKey, () => undefined);
    expect(await countSubscribers(logKey)).toBe(1);
    stopA();
    await sleep(100);
    expect(await countSubscribers(logKey)).toBe(1);
    stopB();
    await vi.waitFor(async () => expect(await countSubscribers(logKey)).toBe(0), { timeout: 3_000 });
    // A new watcher after the last one left subscribes afresh.
    let wakes = 0;
    const stopC = await store.watchLog(logKey, () => {
      wakes += 1;
    });
    expect(await countSubscribers(logKey)).toBe(1);
    await peers[kind].appendLog(logKey, "a", LOG);
    await vi.waitFor(() => expect(wakes).toBe(1), { timeout: 3_000, interval: 10 });
    stopC();
  });

  it("closing the store ends its subscriptions", async () => {
    const store =
      kind === "redis"
        ? createIoredisStore({ url: redisUrl })
        : createUpstashStore({ url: standin.url, token });
    const logKey = `test:${randomUUID()}:log`;
    await store.watchLog(logKey, () => undefined);
    expect(await countSubscribers(logKey)).toBe(1);
    await store.close();
    await vi.waitFor(async () => expect(await countSubscribers(logKey)).toBe(0), { timeout: 3_000 });
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

/** A TCP proxy to Redis whose connections can be cut and refused, as in a network outage. */
const startDroppingProxy = async (targetUrl: string) => {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let accepting = true;
  const server = createServer((socket) => {
    if (!accepting) {
      socket.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 6379), target.hostname);
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
    };
    sockets.add(socket);
    for (const end of [socket, upstream]) {
      end.on("error", drop);
      end.on("close", drop);
    }
    socket.pipe(upstream).pipe(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const proxied = new URL(targetUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    open: () => sockets.size,
    down() {
      accepting = false;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      accepting = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

describe("an unreachable backend fails fast instead of hanging", () => {
  it("ioredis at a closed port rejects every operation, the first and the later ones", async () => {
    const store = createIoredisStore({ url: CLOSED_PORT_REDIS_URL });
    try {
      await expect(store.get("test:any")).rejects.toThrow();
      await expect(store.set("test:any", "v", { nx: true, px: 1_000 })).rejects.toThrow();
      await expect(store.incr("test:any")).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
      await expect(store.appendLog("test:any", "v", LOG)).rejects.toThrow();
      await expect(store.readLog("test:any", "0", 10)).rejects.toThrow();
      await expect(store.lastLogId("test:any")).rejects.toThrow();
      await expect(store.deleteLog("test:any")).rejects.toThrow();
      await expect(store.watchLog("test:any", () => undefined)).rejects.toThrow();
      await expect(store.watchLog("test:any", () => undefined)).rejects.toThrow();
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
      await expect(store.appendLog("test:any", "v", LOG)).rejects.toThrow();
      await expect(store.watchLog("test:any", () => undefined)).rejects.toThrow();
    } finally {
      await store.close();
      silent.close();
    }
  }, 10_000);

  it("ioredis: log commands fail fast during an outage, and watchers wake again after it", async () => {
    const proxy = await startDroppingProxy(redisUrl);
    const store = createIoredisStore({ url: proxy.url });
    const logKey = `test:${randomUUID()}:log`;
    try {
      let wakes = 0;
      const stop = await store.watchLog(logKey, () => {
        wakes += 1;
      });
      await peers.redis.appendLog(logKey, "before", LOG);
      await vi.waitFor(() => expect(wakes).toBe(1), { timeout: 3_000, interval: 10 });

      proxy.down();
      await vi.waitFor(() => expect(proxy.open()).toBe(0));
      const started = Date.now();
      await expect(store.appendLog(logKey, "during", LOG)).rejects.toThrow();
      await expect(store.readLog(logKey, "0", 10)).rejects.toThrow();
      await expect(store.watchLog(`${logKey}:other`, () => undefined)).rejects.toThrow();
      // Joining the log already watched: its subscription is down too.
      await expect(store.watchLog(logKey, () => undefined)).rejects.toThrow(/unreachable/);
      expect(Date.now() - started).toBeLessThan(500);

      proxy.up();
      // ioredis reconnects both connections and re-subscribes the log that still has a watcher.
      await vi.waitFor(() => store.ping(), { timeout: 5_000, interval: 50 });
      await vi.waitFor(async () => expect(await countSubscribers(logKey)).toBe(1), { timeout: 5_000 });
      await peers.redis.appendLog(logKey, "after", LOG);
      await vi.waitFor(() => expect(wakes).toBe(2), { timeout: 3_000, interval: 10 });
      expect((await store.readLog(logKey, "0", 10)).map((entry) => entry.value)).toEqual(["before", "after"]);
      stop();
    } finally {
      await store.close();
      await proxy.close();
      await peers.redis.deleteLog(logKey);
    }
  }, 20_000);

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
      await expect(store.appendLog("test:any", "v", LOG)).rejects.toThrow();
      const started = Date.now();
      await expect(store.watchLog("test:any", () => undefined)).rejects.toThrow(/did not confirm SUBSCRIBE/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await store.close();
      silent.closeAllConnections();
      silent.close();
    }
  }, 15_000);

  it("Upstash at a closed port rejects", async () => {
    const store = createUpstashStore({ url: "http://127.0.0.1:1", token });
    await expect(store.get("test:any")).rejects.toThrow();
    await expect(store.appendLog("test:any", "v", LOG)).rejects.toThrow();
    await expect(store.readLog("test:any", "0", 10)).rejects.toThrow();
    await expect(store.watchLog("test:any", () => undefined)).rejects.toThrow();
    await store.close();
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

  it("serves streams and pub/sub over SSE to the real client's own methods", async () => {
    const client = new UpstashRedis({ url: standin.url, token, enableTelemetry: false });
    const stream = `test:${randomUUID()}:stream`;
    const first = await client.xadd(stream, "*", { v: "one" });
    const second = await client.xadd(stream, "*", { v: "two" });
    expect(await client.xrange(stream, "-", "+")).toEqual({ [first]: { v: "one" }, [second]: { v: "two" } });
    expect(await client.xrevrange(stream, "+", "-", 1)).toEqual({ [second]: { v: "two" } });

    const channel = `test:${randomUUID()}:channel`;
    const subscriber = client.subscribe<string>(channel);
    const confirmed = new Promise<number>((resolve) => subscriber.on("subscribe", resolve));
    const received: unknown[] = [];
    subscriber.on("message", ({ channel: from, message }) => received.push([from, message]));
    expect(await confirmed).toBe(1);
    expect(await client.publish(channel, "hello, world")).toBe(1);
    await vi.waitFor(() => expect(received).toEqual([[channel, "hello, world"]]), { timeout: 3_000 });
    await subscriber.unsubscribe();
    await vi.waitFor(async () => expect(await client.publish(channel, "gone")).toBe(0), { timeout: 3_000 });
    await client.del(stream);
  });

  it("refuses a subscription with a wrong token, and the store's watchLog rejects", async () => {
    const store = createUpstashStore({ url: standin.url, token: "wrong" });
    await expect(store.watchLog("test:any", () => undefined)).rejects.toThrow(/Unauthorized/);
    await store.close();
  });

  it("runs pipelines and multi-exec transactions through the real client", async () => {
    const client = new UpstashRedis({ url: standin.url, token, enableTelemetry: false });
    const k = `test:${randomUUID()}:tx`;
    expect(await client.multi().set(k, "5").incr(k).get(k).exec()).toEqual(["OK", 6, 6]);
    expect(await client.pipeline().incr(k).del(k).exec()).toEqual([7, 1]);
  });
});
