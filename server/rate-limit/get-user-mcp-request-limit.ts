import { queryHotRows, sql } from "../db-hot-query";
import { getLogger } from "../logger";

// An operator's override of one user's /mcp limit (User.mcpRequestLimit, null for the policy's
// default), read on every /mcp request. The row is not part of what authentication loads, so each
// process keeps the answer for USER_LIMIT_CACHE_MS: at most one primary-key read per user and process
// in that time, and an operator's change applies everywhere within it. Concurrent misses share one
// read; a failed read is not cached (the request gets the default, as the policy fails open).

export const USER_LIMIT_CACHE_MS = 30_000;
const MAX_CACHED_USERS = 10_000;

type TCachedLimit = { expiresAt: number; limit: Promise<number | null> };

const cache = new Map<string, TCachedLimit>();

const readLimit = async (userId: string): Promise<number | null> => {
  try {
    const [row] = await queryHotRows<{ mcpRequestLimit: number | null }>(
      sql`SELECT "mcpRequestLimit" FROM "User" WHERE "id" = ${userId}`,
    );
    return row?.mcpRequestLimit ?? null;
  } catch (error) {
    cache.delete(userId);
    getLogger().warn({ err: error }, "per-user /mcp limit could not be read; the default applies");
    return null;
  }
};

/** The user's own /mcp limit, or null when the mcpRequest policy's applies. Never throws. */
export async function getUserMcpRequestLimit({ userId }: { userId: string }): Promise<number | null> {
  const now = Date.now();
  const cached = cache.get(userId);
  if (cached && cached.expiresAt > now) return cached.limit;
  cache.delete(userId);
  // Oldest first (a Map keeps insertion order): a bounded cache however many users call.
  if (cache.size >= MAX_CACHED_USERS) cache.delete(cache.keys().next().value as string);
  const entry = { expiresAt: now + USER_LIMIT_CACHE_MS, limit: readLimit(userId) };
  cache.set(userId, entry);
  return entry.limit;
}
