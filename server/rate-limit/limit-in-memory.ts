import type { RateLimitDecision } from "../errors";
import type { RedisStore } from "../redis";

// The limiter for the memory store, with the same semantics as @upstash/ratelimit's fixed window
// (src/lua-scripts/single.ts): buckets aligned to multiples of the window since the epoch, key
// `<prefix>:<identifier>:<bucket>`, INCR then an expiry on the first hit, success while the count is
// at most `attempts`. It runs on the store's own INCR/PEXPIRE: in one process nothing interleaves
// inside the INCR, so the count is exact; the expiry only reclaims memory, the bucket in the key is
// what ends a window.

export type LimitResult = { success: boolean; decision: RateLimitDecision };

export async function limitInMemory(options: {
  store: RedisStore;
  prefix: string;
  identifier: string;
  attempts: number;
  windowMs: number;
}): Promise<LimitResult> {
  const { store, prefix, identifier, attempts, windowMs } = options;
  const bucket = Math.floor(Date.now() / windowMs);
  const key = `${prefix}:${identifier}:${bucket}`;
  const count = await store.incr(key);
  if (count === 1) await store.pexpire(key, windowMs);
  return {
    success: count <= attempts,
    decision: { limit: attempts, remaining: Math.max(0, attempts - count), resetAt: (bucket + 1) * windowMs },
  };
}
