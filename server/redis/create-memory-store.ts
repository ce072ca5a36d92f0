import { getLogger } from "../logger";
import type { RedisStore } from "../redis";

// The store for a machine with no Redis (`npm run dev` on a fresh laptop). It mirrors the Redis
// semantics the product relies on (expiry, NX, INCR keeping the TTL, -1/-2 from PTTL) so code behaves
// the same on every backend, but it lives in one process: two `next start` processes or serverless
// instances would each see their own keys, hence the warning.

type Entry = { value: string; expiresAt: number | null };

// Expired keys are also dropped when read; the sweep bounds memory for keys nobody reads again
// (rate-limit windows of one-off visitors).
const SWEEP_INTERVAL_MS = 60_000;

const INTEGER = /^-?\d+$/;

export function createMemoryStore(): RedisStore {
  getLogger().warn(
    "Redis is not configured: using an in-memory store (single process only; set REDIS_URL or UPSTASH_REDIS_REST_URL)",
  );
  const entries = new Map<string, Entry>();

  const isExpired = (entry: Entry, now: number) => entry.expiresAt !== null && entry.expiresAt <= now;

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && isExpired(entry, Date.now())) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries) {
      if (isExpired(entry, now)) entries.delete(key);
    }
  }, SWEEP_INTERVAL_MS);
  // The sweep must never keep a process (a script, a test worker) alive.
  sweep.unref();

  return {
    kind: "memory",
    lua: null,

    async get(key) {
      return read(key)?.value ?? null;
    },

    async set(key, value, options = {}) {
      if (options.px !== undefined && (!Number.isInteger(options.px) || options.px <= 0)) {
        throw new Error("ERR invalid expire time in 'set' command");
      }
      if (options.nx && read(key)) return false;
      entries.set(key, { value, expiresAt: options.px === undefined ? null : Date.now() + options.px });
      return true;
    },

    async del(...keys) {
      let deleted = 0;
      for (const key of keys) {
        if (read(key)) {
          entries.delete(key);
          deleted += 1;
        }
      }
      return deleted;
    },

    async incr(key) {
      const entry = read(key);
      const current = entry ? entry.value : "0";
      const next = Number(current) + 1;
      if (!INTEGER.test(current) || !Number.isSafeInteger(next)) {
        throw new Error("ERR value is not an integer or out of range");
      }
      entries.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? null });
      return next;
    },

    async pexpire(key, ms) {
      const entry = read(key);
      if (!entry) return false;
      if (ms <= 0) {
        entries.delete(key);
      } else {
        entry.expiresAt = Date.now() + ms;
      }
      return true;
    },

    async pttl(key) {
      const entry = read(key);
      if (!entry) return -2;
      if (entry.expiresAt === null) return -1;
      return entry.expiresAt - Date.now();
    },

    async deleteIfEquals(key, value) {
      if (read(key)?.value !== value) return false;
      entries.delete(key);
      return true;
    },

    async ping() {},

    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
