import { getLogger } from "../logger";
import { getRedis } from "../redis";
import type { TInstanceBackend } from "./get-instance-backends";
import { type TBackendDiscover, ZBackendDiscover } from "./probe-modern-backend";

// A 2026-07-28 backend's `server/discover` answer as one user got it (capabilities may depend on who
// asks, so it is kept per user and server), for as long as the backend said it stays fresh (`ttlMs`,
// at most an hour). Tumiki needs it to merge capabilities and to skip lists a backend does not offer.

const MAX_TTL_MS = 60 * 60 * 1000;

const discoverKey = (userId: string, mcpServerId: string) => `mcp_backend_discover:${userId}:${mcpServerId}`;

export async function saveBackendDiscover({
  userId,
  backend,
  discover,
}: {
  userId: string;
  backend: TInstanceBackend;
  discover: TBackendDiscover;
}): Promise<void> {
  const ttlMs = Math.min(Math.floor(discover.ttlMs ?? 0), MAX_TTL_MS);
  if (!(ttlMs > 0)) return;
  try {
    await getRedis().set(discoverKey(userId, backend.mcpServerId), JSON.stringify(discover), { px: ttlMs });
  } catch (error) {
    getLogger().warn({ err: error, server: backend.slug }, "caching a backend's discover result failed");
  }
}

export async function readBackendDiscover({
  userId,
  backend,
}: {
  userId: string;
  backend: TInstanceBackend;
}): Promise<TBackendDiscover | null> {
  try {
    const raw = await getRedis().get(discoverKey(userId, backend.mcpServerId));
    if (raw === null) return null;
    const parsed = ZBackendDiscover.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    getLogger().warn({ err: error, server: backend.slug }, "reading a backend's discover result failed");
    return null;
  }
}
