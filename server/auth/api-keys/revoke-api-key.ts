import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";
import { API_KEY_CACHE_TTL_MS, API_KEY_REVOKED_MARKER, getApiKeyCacheKey } from "./api-key-cache";

// Revokes one of the user's API keys. The database is the truth; the cache entry is then overwritten
// with a tombstone that outlives any entry a concurrent lookup could still write (those use NX), so the
// key is refused from the next request on. Revoking an already revoked key changes nothing.

export async function revokeApiKey(options: {
  userId: string;
  id: string;
  origin?: TRequestOrigin;
}): Promise<{ id: string; revokedAt: Date }> {
  const db = getDb();
  const key = await db.mcpApiKey.findFirst({
    where: { id: options.id, userId: options.userId },
    select: { id: true, keyHash: true, instanceId: true, revokedAt: true },
  });
  if (!key) throw new AppError("NOT_FOUND", { userMessage: "This API key does not exist." });
  if (key.revokedAt) return { id: key.id, revokedAt: key.revokedAt };

  const revokedAt = new Date();
  const { count } = await db.mcpApiKey.updateMany({
    where: { id: key.id, revokedAt: null },
    data: { revokedAt },
  });
  try {
    await getRedis().set(getApiKeyCacheKey(key.keyHash), API_KEY_REVOKED_MARKER, {
      px: API_KEY_CACHE_TTL_MS,
    });
  } catch (error) {
    // Entries live at most a minute; the revocation itself is already in the database.
    getLogger().error({ err: error, keyId: key.id }, "revoked API key could not be evicted from the cache");
  }
  if (count === 0) {
    const current = await db.mcpApiKey.findUniqueOrThrow({
      where: { id: key.id },
      select: { revokedAt: true },
    });
    return { id: key.id, revokedAt: current.revokedAt ?? revokedAt };
  }

  writeAuditEvent({
    eventType: "api_key.revoked",
    outcome: "SUCCESS",
    actorUserId: options.userId,
    instanceId: key.instanceId,
    ip: options.origin?.ip,
    userAgent: options.origin?.userAgent,
    detail: { keyId: key.id },
  });
  return { id: key.id, revokedAt };
}
