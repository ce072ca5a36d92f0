import { after } from "next/server";
import { getDb } from "../../db";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";
import { InvalidTokenError } from "../oauth-errors";
import { hashOpaqueSecret } from "../opaque-secrets";
import { assertInstanceOwner } from "../verify/assert-instance-owner";
import type { TMcpAuthContext } from "../verify/mcp-auth-context";
import {
  API_KEY_CACHE_TTL_MS,
  API_KEY_REVOKED_MARKER,
  getApiKeyCacheKey,
  type TCachedApiKey,
  ZCachedApiKey,
} from "./api-key-cache";

// API keys are looked up by their SHA-256 (256 random bits: the hash is as unguessable as the key), and
// the non-secret fields are cached in Redis for at most a minute. Revocation overwrites the entry with a
// tombstone, and this module only ever writes with NX, so a lookup racing a revocation cannot put the
// revoked key back into the cache. Redis is an optimisation: when it fails, the database answers.

const LAST_USED_RESOLUTION_MS = 60_000;

const readCache = async (cacheKey: string): Promise<TCachedApiKey | "revoked" | null> => {
  try {
    const raw = await getRedis().get(cacheKey);
    if (raw === null) return null;
    if (raw === API_KEY_REVOKED_MARKER) return "revoked";
    const parsed = ZCachedApiKey.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    getLogger().warn({ err: error }, "API key cache unavailable; reading the database");
    return null;
  }
};

const loadFromDatabase = async (keyHash: string, cacheKey: string): Promise<TCachedApiKey | "revoked"> => {
  const row = await getDb().mcpApiKey.findUnique({
    where: { keyHash },
    select: { id: true, userId: true, instanceId: true, scopes: true, expiresAt: true, revokedAt: true },
  });
  if (!row) throw new InvalidTokenError("The API key is not known.", { reason: "unknown_api_key" });
  if (row.revokedAt) return "revoked";
  const entry: TCachedApiKey = {
    id: row.id,
    userId: row.userId,
    instanceId: row.instanceId,
    scopes: row.scopes,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
  const ttl = Math.min(API_KEY_CACHE_TTL_MS, row.expiresAt ? row.expiresAt.getTime() - Date.now() : Infinity);
  if (ttl >= 1) {
    try {
      await getRedis().set(cacheKey, JSON.stringify(entry), { px: Math.floor(ttl), nx: true });
    } catch (error) {
      getLogger().warn({ err: error }, "API key could not be cached");
    }
  }
  return entry;
};

// At most one write a minute per key: a Redis NX marker gates it, and the conditional update keeps the
// rule when Redis is down. It runs after the response, never delaying the MCP request.
const recordUse = (apiKeyId: string): void => {
  const write = (async () => {
    const now = Date.now();
    try {
      const first = await getRedis().set(`api_key_used:${apiKeyId}`, "1", {
        px: LAST_USED_RESOLUTION_MS,
        nx: true,
      });
      if (!first) return;
    } catch {
      // No Redis: the database condition below still limits the writes.
    }
    await getDb().mcpApiKey.updateMany({
      where: {
        id: apiKeyId,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: new Date(now) },
    });
  })().catch((error: unknown) => getLogger().warn({ err: error }, "API key lastUsedAt not recorded"));
  try {
    after(write);
  } catch {
    // Outside a request (scripts, tests) the promise simply runs to completion.
  }
};

export async function verifyApiKey(options: {
  key: string;
  instanceId: string;
}): Promise<Extract<TMcpAuthContext, { kind: "api_key" }>> {
  const keyHash = hashOpaqueSecret(options.key);
  const cacheKey = getApiKeyCacheKey(keyHash);
  const entry = (await readCache(cacheKey)) ?? (await loadFromDatabase(keyHash, cacheKey));
  if (entry === "revoked") {
    throw new InvalidTokenError("The API key has been revoked.", { reason: "api_key_revoked" });
  }
  if (entry.expiresAt && new Date(entry.expiresAt).getTime() <= Date.now()) {
    throw new InvalidTokenError("The API key has expired.", { reason: "api_key_expired" });
  }
  if (entry.instanceId !== options.instanceId) {
    throw new InvalidTokenError("The API key belongs to another MCP instance.", {
      reason: "api_key_wrong_instance",
    });
  }
  await assertInstanceOwner({ instanceId: options.instanceId, userId: entry.userId });
  recordUse(entry.id);
  return {
    kind: "api_key",
    userId: entry.userId,
    instanceId: options.instanceId,
    apiKeyId: entry.id,
    scopes: entry.scopes,
  };
}
