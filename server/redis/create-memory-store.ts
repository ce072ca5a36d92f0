import { getLogger } from "../logger";
import type { RedisLogEntry, RedisStore } from "../redis";
import { createLogWatchers } from "./create-log-watchers";
import { assertPositiveInteger, parseLogId } from "./log-arguments";

// The store for a machine with no Redis (`npm run dev` on a fresh laptop). It mirrors the Redis
// semantics the product relies on (expiry, NX, INCR keeping the TTL, -1/-2 from PTTL) so code behaves
// the same on every backend, but it lives in one process: two `next start` processes or serverless
// instances would each see their own keys, hence the warning.
// Logs imitate Redis streams in the same key space as strings (DEL, PEXPIRE and PTTL apply to both; a
// string command on a log, or the reverse, fails with WRONGTYPE): ids "<ms>-<seq>" from the clock that
// never go back within a log, trimming to exactly maxLen (Redis keeps at least maxLen), and watchers
// woken on a microtask after the append.

type StoredLogEntry = RedisLogEntry & { ms: bigint; seq: bigint };
type Log = { entries: StoredLogEntry[]; lastMs: bigint; lastSeq: bigint };
type Entry = { value: string | Log; expiresAt: number | null };

// Expired keys are also dropped when read; the sweep bounds memory for keys nobody reads again
// (rate-limit windows of one-off visitors).
const SWEEP_INTERVAL_MS = 60_000;

const INTEGER = /^-?\d+$/;

const WRONG_TYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

const isAfter = (entry: StoredLogEntry, [ms, seq]: [bigint, bigint]) =>
  entry.ms > ms || (entry.ms === ms && entry.seq > seq);

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

  const readString = (key: string): (Entry & { value: string }) | undefined => {
    const entry = read(key);
    if (entry && typeof entry.value !== "string") throw new Error(WRONG_TYPE);
    return entry as (Entry & { value: string }) | undefined;
  };

  const readLogEntry = (key: string): (Entry & { value: Log }) | undefined => {
    const entry = read(key);
    if (entry && typeof entry.value === "string") throw new Error(WRONG_TYPE);
    return entry as (Entry & { value: Log }) | undefined;
  };

  // Nothing to subscribe to: appends in this process are the only ones there are.
  const watchers = createLogWatchers({ subscribe: async () => {}, unsubscribe: () => {} });

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
      return readString(key)?.value ?? null;
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
      const entry = readString(key);
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
      if (readString(key)?.value !== value) return false;
      entries.delete(key);
      return true;
    },

    async appendLog(key, value, options) {
      assertPositiveInteger("maxLen", options.maxLen);
      assertPositiveInteger("ttlMs", options.ttlMs);
      const now = Date.now();
      const existing = readLogEntry(key);
      const log = existing?.value ?? { entries: [], lastMs: 0n, lastSeq: 0n };
      // As Redis: the clock's millisecond, or the last id's with the next sequence number when the
      // clock has not moved on (or went back).
      const ms = BigInt(now) > log.lastMs ? BigInt(now) : log.lastMs;
      const seq = ms === log.lastMs ? log.lastSeq + 1n : 0n;
      const id = `${ms}-${seq}`;
      log.entries.push({ id, value, ms, seq });
      log.lastMs = ms;
      log.lastSeq = seq;
      if (log.entries.length > options.maxLen) log.entries.splice(0, log.entries.length - options.maxLen);
      entries.set(key, { value: log, expiresAt: now + options.ttlMs });
      queueMicrotask(() => watchers.wake(key));
      return id;
    },

    async readLog(key, afterId, count) {
      const after = parseLogId(afterId);
      assertPositiveInteger("count", count);
      const log = readLogEntry(key)?.value;
      if (!log) return [];
      const start = log.entries.findIndex((entry) => isAfter(entry, after));
      if (start === -1) return [];
      return log.entries.slice(start, start + count).map(({ id, value }) => ({ id, value }));
    },

    async lastLogId(key) {
      return readLogEntry(key)?.value.entries.at(-1)?.id ?? "0";
    },

    async watchLog(key, onWake) {
      return watchers.watch(key, onWake);
    },

    async deleteLog(key) {
      entries.delete(key);
    },

    async ping() {},

    async close() {
      clearInterval(sweep);
      entries.clear();
      watchers.clear();
    },
  };
}
