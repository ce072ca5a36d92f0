import { randomBytes } from "node:crypto";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";

// A lock in Redis held for as long as a stream lives: taken only if free, renewed on a heartbeat,
// released at the end (only by its holder), and freed by expiry if the holding process dies.

const TTL_MS = 45_000;
const RENEW_EVERY_MS = 15_000;

export type THeldLock = { release(): Promise<void> };

export async function tryHoldLock(key: string): Promise<THeldLock | null> {
  const redis = getRedis();
  const token = randomBytes(12).toString("base64url");
  const taken = await redis.set(key, token, { px: TTL_MS, nx: true }).catch(() => false);
  if (!taken) return null;
  const renew = setInterval(() => {
    redis
      .get(key)
      .then((holder) => (holder === token ? redis.pexpire(key, TTL_MS) : false))
      .catch((error: unknown) => getLogger().warn({ err: error }, "renewing a stream lock failed"));
  }, RENEW_EVERY_MS);
  renew.unref?.();
  return {
    async release() {
      clearInterval(renew);
      await redis.deleteIfEquals(key, token).catch(() => undefined);
    },
  };
}
