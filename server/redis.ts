import { getEnv } from "./env";
import { createIoredisStore } from "./redis/create-ioredis-store";
import { createMemoryStore } from "./redis/create-memory-store";
import { createUpstashStore } from "./redis/create-upstash-store";

// One small key-value interface over three backends, so the token cache, the refresh lock and the rate
// limiter are written once: Upstash REST in production on Vercel (no sockets between invocations),
// a self-hosted Redis over TCP, and an in-process map for a machine without Redis. Values are strings;
// callers serialize (and encrypt) themselves, so no backend silently parses JSON.

export type RedisKind = "upstash" | "redis" | "memory";

export type RedisSetOptions = {
  /** Expiry in milliseconds (a positive integer). Without it, SET clears any previous expiry. */
  px?: number;
  /** Only set when the key does not exist: the building block of a lock. */
  nx?: boolean;
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
    instance = createUpstashStore({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
  } else if (env.REDIS_URL) {
    instance = createIoredisStore({ url: env.REDIS_URL });
  } else {
    instance = createMemoryStore();
  }
  return instance;
}
