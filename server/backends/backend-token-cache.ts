import { randomBytes } from "node:crypto";
import { z } from "zod";
import { decryptString, encryptString } from "../crypto/field-encryption";
import { getKeyRing } from "../db";
import { getLogger } from "../logger";
import { getRedis } from "../redis";
import { type TBackendAccessToken, ZBackendAccessToken } from "./backend-access-token";
import { getRefreshBufferMs, isExpiringSoon } from "./is-expiring-soon";

// The Redis layer in front of OAuthToken rows, so a proxied MCP request costs no database query. The
// value is encrypted like a database field, bound to its key (a value copied to another user's key
// does not decrypt). Redis is an accelerator only: every failure here is logged and treated as a miss,
// and the database answers instead.
//
// A reader that read the row before a disconnect (or reconnect, or revoked grant) could write its entry
// after that change dropped the cache, and so restore a token that no longer exists. So each connection
// has a generation in Redis, a random value replaced by every invalidation: the writer takes the
// generation before it reads the database and stores it in the entry, and an entry of another
// generation is a miss. The change writes the database before it replaces the generation, so an entry
// written from a read before the change carries the old generation. Random values never recur, so the
// generation key may expire or be evicted: a missing one is started afresh and every older entry misses.

/** Tokens without an expiry, and long-lived ones, are re-read from the database at least this often. */
const MAX_CACHE_TTL_MS = 60 * 60 * 1000;
/** An idle connection's generation goes after a day; its entries then miss once. */
const GENERATION_TTL_MS = 24 * 60 * 60 * 1000;

type TCacheKeyOptions = { userId: string; mcpServerId: string };

const ZCacheEntry = z.object({ generation: z.string(), token: ZBackendAccessToken });

const cacheKey = ({ userId, mcpServerId }: TCacheKeyOptions) => `backend_token:${userId}:${mcpServerId}`;
const generationKey = ({ userId, mcpServerId }: TCacheKeyOptions) =>
  `backend_token_gen:${userId}:${mcpServerId}`;
const encryptionContext = (key: string) => `redis:${key}`;
const newGeneration = () => randomBytes(12).toString("base64url");

/**
 * Milliseconds a token may stay cached: until the refresh buffer before its expiry, at most an hour;
 * 0 (do not cache) when it is already inside the buffer.
 */
export function calculateTTL({
  expiresAt,
  now = Date.now(),
  bufferMs = getRefreshBufferMs(),
}: {
  expiresAt: Date | null;
  now?: number;
  bufferMs?: number;
}): number {
  if (expiresAt === null) return MAX_CACHE_TTL_MS;
  return Math.max(0, Math.min(MAX_CACHE_TTL_MS, Math.floor(expiresAt.getTime() - bufferMs - now)));
}

async function startGeneration(options: TCacheKeyOptions): Promise<string | null> {
  const key = generationKey(options);
  const generation = newGeneration();
  try {
    if (await getRedis().set(key, generation, { nx: true, px: GENERATION_TTL_MS })) return generation;
    // Another reader started it first.
    return await getRedis().get(key);
  } catch (error) {
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache read failed");
    return null;
  }
}

/**
 * The connection's cache generation, to be taken BEFORE reading the row that `cacheToken` will store;
 * null when Redis failed (then nothing is cached).
 */
export async function readCacheGeneration(options: TCacheKeyOptions): Promise<string | null> {
  try {
    const generation = await getRedis().get(generationKey(options));
    if (generation !== null) return generation;
  } catch (error) {
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache read failed");
    return null;
  }
  return startGeneration(options);
}

/** Stores `token` as read under `generation` (from readCacheGeneration or readCachedToken). */
export async function cacheToken(
  options: TCacheKeyOptions & { token: TBackendAccessToken; generation: string | null },
): Promise<void> {
  if (options.generation === null) return;
  const key = cacheKey(options);
  const ttl = calculateTTL({ expiresAt: options.token.expiresAt });
  try {
    if (ttl <= 0) {
      await getRedis().del(key);
      return;
    }
    const entry = JSON.stringify({ generation: options.generation, token: options.token });
    await getRedis().set(key, encryptString(getKeyRing(), entry, encryptionContext(key)), { px: ttl });
  } catch (error) {
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache write failed");
  }
}

/**
 * The cached token (null on a miss, a Redis failure, an entry of an older generation or one that does
 * not decrypt) and the generation to pass to cacheToken after reading the database. The entry and the
 * generation are read in parallel: one round trip on the hot path.
 */
export async function readCachedToken(
  options: TCacheKeyOptions,
): Promise<{ token: TBackendAccessToken | null; generation: string | null }> {
  const key = cacheKey(options);
  let value: string | null;
  let generation: string | null;
  try {
    [value, generation] = await Promise.all([getRedis().get(key), getRedis().get(generationKey(options))]);
  } catch (error) {
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache read failed");
    return { token: null, generation: null };
  }
  if (generation === null) return { token: null, generation: await startGeneration(options) };
  if (value === null) return { token: null, generation };
  try {
    const entry = ZCacheEntry.parse(JSON.parse(decryptString(getKeyRing(), value, encryptionContext(key))));
    if (entry.generation !== generation) return { token: null, generation };
    // The TTL ends at the buffer already; this guards against a clock skew between processes.
    return { token: isExpiringSoon({ expiresAt: entry.token.expiresAt }) ? null : entry.token, generation };
  } catch (error) {
    // Tampered, written under a key no longer in the ring, or of an older shape: the database decides.
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache entry dropped");
    await getRedis()
      .del(key)
      .catch(() => undefined);
    return { token: null, generation };
  }
}

/**
 * Makes every cached token of the connection a miss (disconnect, reconnect, a revoked grant): call it
 * AFTER the database change. A Redis failure is logged, not thrown: the entry then ends with its TTL
 * (at most an hour, and never past the token's expiry).
 */
export async function invalidateCachedToken(options: TCacheKeyOptions): Promise<void> {
  try {
    await getRedis().set(generationKey(options), newGeneration(), { px: GENERATION_TTL_MS });
    await getRedis().del(cacheKey(options));
  } catch (error) {
    getLogger().warn(
      { err: error, mcpServerId: options.mcpServerId },
      "backend token cache invalidation failed",
    );
  }
}
