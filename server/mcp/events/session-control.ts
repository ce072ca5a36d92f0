import { z } from "zod";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";
import { ZJsonRpcId } from "../json-rpc-schemas";

// Signals about one 2025 session that must reach whichever app process runs the affected work: a
// client's cancellation of a request Tumiki relays to a 2026-07-28 backend (that backend has no session
// to send `notifications/cancelled` to: the process holding the call must close its stream), a change
// of the session's resource subscriptions (its GET stream's process re-subscribes at the backends), and
// the end of the session's GET stream (taken over by a newer one, or the session ended). A short-lived
// Redis log per session, keyed by the session's hash, so only that session's own requests ever write
// or read it.

export const ZSessionControl = z.discriminatedUnion("type", [
  z.object({ type: z.literal("cancelled"), requestId: ZJsonRpcId }),
  z.object({ type: z.literal("subscriptions_changed") }),
  /** A newer GET stream of the session: the older one ends. */
  z.object({ type: z.literal("stream_taken"), owner: z.string() }),
  /** The client ended the session (DELETE): its GET stream ends. */
  z.object({ type: z.literal("session_ended") }),
]);
export type TSessionControl = z.infer<typeof ZSessionControl>;

const MAX_ENTRIES = 200;
const TTL_MS = 10 * 60 * 1000;

export const sessionControlKey = (sessionKey: string) => `mcp_session_control:${sessionKey}`;

export async function publishSessionControl({
  sessionKey,
  control,
}: {
  sessionKey: string;
  control: TSessionControl;
}): Promise<void> {
  try {
    await getRedis().appendLog(sessionControlKey(sessionKey), JSON.stringify(control), {
      maxLen: MAX_ENTRIES,
      ttlMs: TTL_MS,
    });
  } catch (error) {
    getLogger().warn({ err: error }, "publishing a session signal failed");
  }
}
