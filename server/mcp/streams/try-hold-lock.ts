import { randomBytes } from "node:crypto";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";

// A lock in Redis held for as long as a stream lives: taken only if free, renewed on a heartbeat (three
// times per lifetime), released at the end (only by its holder), and freed by expiry if the holding
// process dies. A Redis that cannot be reached is raised: each caller decides what that means.

export type THeldLock = { release(): Promise<void> };

export async function tryHoldLock({
  key,
  ttlMs = 45_000,
}: {
  key: string;
  /** How long the lock outlives a process that died holding it. */
  ttlMs?: number;
}): Promise<THeldLock | null> {
  const redis = getRedis();
  const token = randomBytes(12).toString("base64url");
  const taken = await redis.set(key, token, { px: ttlMs, nx: true });
  if (!taken) return null;
  const renew = setInterval(() => {
    redis
      .get(key)
      .then((holder) => (holder === token ? redis.pexpire(key, ttlMs) : false))
      .catch((error: unknown) => getLogger().warn({ err: error, key }, "renewing a stream lock failed"));
  }, ttlMs / 3);
  renew.unref?.();
  return {
    async release() {
      clearInterval(renew);
      await redis.deleteIfEquals(key, token).catch(() => undefined);
    },
  };
}
