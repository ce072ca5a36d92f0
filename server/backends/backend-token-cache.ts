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

/** Tokens without an expiry, and long-lived ones, are re-read from the database at least this often. */
export const MAX_CACHE_TTL_MS = 60 * 60 * 1000;

type TCacheKeyOptions = { userId: string; mcpServerId: string };

const cacheKey = ({ userId, mcpServerId }: TCacheKeyOptions) => `backend_token:${userId}:${mcpServerId}`;
const encryptionContext = (key: string) => `redis:${key}`;

/**
 * Milliseconds a token may stay cached: until the refresh buffer before its expiry, at most
 * MAX_CACHE_TTL_MS; 0 (do not cache) when it is already inside the buffer.
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

export async function cacheToken(options: TCacheKeyOptions & { token: TBackendAccessToken }): Promise<void> {
  const key = cacheKey(options);
  const ttl = calculateTTL({ expiresAt: options.token.expiresAt });
  try {
    if (ttl <= 0) {
      await getRedis().del(key);
      return;
    }
    const value = encryptString(getKeyRing(), JSON.stringify(options.token), encryptionContext(key));
    await getRedis().set(key, value, { px: ttl });
  } catch (error) {
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache write failed");
  }
}

/** The cached token, or null on a miss, a Redis failure or an entry that does not decrypt (dropped). */
export async function readCachedToken(options: TCacheKeyOptions): Promise<TBackendAccessToken | null> {
  const key = cacheKey(options);
  let value: string | null;
  try {
    value = await getRedis().get(key);
  } catch (error) {
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache read failed");
    return null;
  }
  if (value === null) return null;
  try {
    const token = ZBackendAccessToken.parse(
      JSON.parse(decryptString(getKeyRing(), value, encryptionContext(key))),
    );
    // The TTL ends at the buffer already; this guards against a clock skew between processes.
    return isExpiringSoon({ expiresAt: token.expiresAt }) ? null : token;
  } catch (error) {
    // Tampered, written under a key no longer in the ring, or of an older shape: the database decides.
    getLogger().warn({ err: error, mcpServerId: options.mcpServerId }, "backend token cache entry dropped");
    await invalidateCachedToken(options);
    return null;
  }
}

/**
 * Drops the cached token (disconnect, reconnect, a revoked grant). A Redis failure is logged, not
 * thrown: the entry then ends with its TTL (at most MAX_CACHE_TTL_MS, and never past the token's expiry).
 */
export async function invalidateCachedToken(options: TCacheKeyOptions): Promise<void> {
  try {
    await getRedis().del(cacheKey(options));
  } catch (error) {
    getLogger().warn(
      { err: error, mcpServerId: options.mcpServerId },
      "backend token cache invalidation failed",
    );
  }
}
