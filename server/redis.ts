import { getEnv } from "./env";
import { countRedisErrors } from "./redis/count-redis-errors";
import { createIoredisStore } from "./redis/create-ioredis-store";
import { createMemoryStore } from "./redis/create-memory-store";
import { createUpstashStore } from "./redis/create-upstash-store";

// One small key-value interface over three backends, so the token cache, the refresh lock, the rate
// limiter and the cross-process logs (MCP notifications, resumable streams) are written once: Upstash
// REST in production on Vercel (no sockets between invocations), a self-hosted Redis over TCP, and an
// in-process map for a machine without Redis. Values are strings; callers serialize (and encrypt)
// themselves, so no backend silently parses JSON.

export type RedisKind = "upstash" | "redis" | "memory";

export type RedisSetOptions = {
  /** Expiry in milliseconds (a positive integer). Without it, SET clears any previous expiry. */
  px?: number;
  /** Only set when the key does not exist: the building block of a lock. */
  nx?: boolean;
};

/**
 * One entry of a log. `id` is what Redis assigns ("<ms>-<seq>"); ids increase within one log and are
 * comparable only there: another log, or the same key after it expired or was deleted, numbers anew.
 */
export type RedisLogEntry = { id: string; value: string };

export type RedisAppendLogOptions = {
  /**
   * Keep at least this many newest entries (a positive integer). Older entries are dropped, though
   * Redis may keep up to one internal node (~100 entries) more: trimming with `MAXLEN ~` frees whole
   * nodes instead of rewriting one on every append, and a resume buffer needs "at least", not "exactly".
   */
  maxLen: number;
  /** The whole log expires this many milliseconds after its latest append (a positive integer). */
  ttlMs: number;
};

/** The two calls @upstash/ratelimit makes (`safeEval`), with Upstash's signatures. */
export interface LuaEvaluator {
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>;
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>;
}

export interface RedisStore {
  readonly kind: RedisKind;
  get(key: string): Promise<string | null>;
  /** Resolves true when the value was written, false when `nx` found the key already there. */
  set(key: string, value: string, options?: RedisSetOptions): Promise<boolean>;
  /** Resolves the number of keys that existed and were deleted. */
  del(...keys: string[]): Promise<number>;
  /** Keeps the key's expiry, as Redis does; rejects when the value is not an integer. */
  incr(key: string): Promise<number>;
  /** Resolves false when the key does not exist. */
  pexpire(key: string, ms: number): Promise<boolean>;
  /** Milliseconds left; -1 when the key has no expiry, -2 when it does not exist (Redis semantics). */
  pttl(key: string): Promise<number>;
  /** Atomic compare-and-delete, so a lock holder releases only its own lock, never a successor's. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /**
   * Appends to a capped append-only log (a Redis stream, in the same key space as strings: DEL, PEXPIRE
   * and PTTL apply; string commands on it reject with WRONGTYPE), (re)sets the log's expiry, and wakes
   * every watcher of the log in any process, all in one step. Resolves the new entry's id.
   */
  appendLog(key: string, value: string, options: RedisAppendLogOptions): Promise<string>;
  /**
   * Entries strictly after `afterId` ("0" for the start), oldest first, at most `count` (a positive
   * integer). An expired or missing log is empty. Rejects an id that is not "<ms>" or "<ms>-<seq>".
   */
  readLog(key: string, afterId: string, count: number): Promise<RedisLogEntry[]>;
  /**
   * The id of the newest entry, or "0" when the log is empty or missing (where a watcher of new entries
   * starts).
   */
  lastLogId(key: string): Promise<string>;
  /**
   * Calls `onWake` (no arguments) whenever an entry is appended to this log, in any process. Best
   * effort: a wake can be lost (an outage, a dropped connection), so a reader re-reads after a wake
   * and also polls now and then (on Upstash a wake can also outrun a read replica). Resolves once the
   * subscription is active (an append after that wakes it); rejects when the backend cannot be reached.
   * The returned function unsubscribes (idempotent); always call it, since a subscription holds a
   * connection or, on Upstash, an open HTTP stream.
   */
  watchLog(key: string, onWake: () => void): Promise<() => void>;
  /** Removes a log (e.g. when a continuation is consumed); a missing log is no error. */
  deleteLog(key: string): Promise<void>;
  /** Rejects when the backend cannot be reached (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** What @upstash/ratelimit needs; null for the memory store, which runs no Lua. */
  readonly lua: LuaEvaluator | null;
}

let instance: RedisStore | undefined;

export function getRedis(): RedisStore {
  if (instance) return instance;
  const env = getEnv();
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    instance = countRedisErrors(
      createUpstashStore({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }),
    );
  } else if (env.REDIS_URL) {
    instance = countRedisErrors(createIoredisStore({ url: env.REDIS_URL }));
  } else {
    instance = createMemoryStore();
  }
  return instance;
}
