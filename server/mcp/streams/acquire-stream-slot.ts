import { getEnv } from "../../env";
import { JSON_RPC_ERROR } from "../../protocol/mcp-protocol";
import { McpRequestError } from "../mcp-request-error";
import { withSessionStore } from "../with-session-store";
import { tryHoldLock } from "./try-hold-lock";

// The per-user cap on long-lived streams (MCP_MAX_STREAMS_PER_USER), across all app processes: a
// stream holds one of the user's numbered slots in Redis for as long as it lives, renewing it on a
// heartbeat. A process that dies without releasing its slot loses it when the slot expires, so a
// crash never locks a user out for longer than that. Over the cap, the client is told plainly (429).

const SLOT_TTL_MS = 60_000;

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
  for (let slot = 0; slot < cap; slot += 1) {
    const held = await withSessionStore(() =>
      tryHoldLock({ key: slotKey(userId, slot), ttlMs: SLOT_TTL_MS }),
    );
    if (held) return held;
  }
  throw new McpRequestError("RATE_LIMITED", {
    id: requestId,
    rpcCode: JSON_RPC_ERROR.transportError,
    message: `Too many open streams: a user may keep ${cap} open at once. Close one (or wait a minute for streams that broke) and try again.`,
    headers: { "Retry-After": "60" },
  });
}
