import { randomBytes } from "node:crypto";
import { getEnv } from "../../env";
import { getLogger } from "../../logger";
import { JSON_RPC_ERROR } from "../../protocol/mcp-protocol";
import { getRedis } from "../../redis";
import { McpRequestError } from "../mcp-request-error";
import { withSessionStore } from "../with-session-store";

// The per-user cap on long-lived streams (MCP_MAX_STREAMS_PER_USER), across all app processes: a
// stream holds one of the user's numbered slots in Redis for as long as it lives, renewing it on a
// heartbeat. A process that dies without releasing its slot loses it when the slot expires, so a
// crash never locks a user out for longer than that. Over the cap, the client is told plainly (429).

const SLOT_TTL_MS = 60_000;
const RENEW_EVERY_MS = 20_000;

export type TStreamSlot = { release(): Promise<void> };

const slotKey = (userId: string, slot: number) => `mcp_stream_slot:${userId}:${slot}`;

export async function acquireStreamSlot({
  userId,
  requestId = null,
}: {
  userId: string;
  requestId?: string | number | null;
}): Promise<TStreamSlot> {
  const cap = getEnv().MCP_MAX_STREAMS_PER_USER;
  const token = randomBytes(12).toString("base64url");
  const redis = getRedis();
  for (let slot = 0; slot < cap; slot += 1) {
    const key = slotKey(userId, slot);
    const taken = await withSessionStore(() => redis.set(key, token, { px: SLOT_TTL_MS, nx: true }));
    if (!taken) continue;
    const renew = setInterval(() => {
      redis
        .get(key)
        .then((holder) => (holder === token ? redis.pexpire(key, SLOT_TTL_MS) : false))
        .catch((error: unknown) => getLogger().warn({ err: error }, "renewing a stream slot failed"));
    }, RENEW_EVERY_MS);
    renew.unref?.();
    return {
      async release() {
        clearInterval(renew);
        await redis.deleteIfEquals(key, token).catch(() => undefined);
      },
    };
  }
  throw new McpRequestError("RATE_LIMITED", {
    id: requestId,
    rpcCode: JSON_RPC_ERROR.transportError,
    message: `Too many open streams: a user may keep ${cap} open at once. Close one (or wait a minute for streams that broke) and try again.`,
    headers: { "Retry-After": "60" },
  });
}
