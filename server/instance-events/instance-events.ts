import { z } from "zod";
import { getLogger } from "../logger";
import { getRedis } from "../redis";

// What changed for the clients of one instance, as a short-lived Redis log that every stream serving
// the instance follows, in any app process (a 2025 session's GET stream, a 2026-07-28
// subscriptions/listen stream). Producers: a backend's change notification seen where it arrived (in
// the stream of some call), and the instance itself changing (its servers, their connections). An
// instance belongs to one user, so nothing here ever reaches another user's streams.

export const ZInstanceEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("list_changed"),
    list: z.enum(["tools", "prompts", "resources"]),
    /** The backend whose list changed; absent when the instance's own set of servers changed. */
    serverId: z.string().optional(),
  }),
  z.object({ type: z.literal("resource_updated"), serverId: z.string(), uri: z.string() }),
]);
export type TInstanceEvent = z.infer<typeof ZInstanceEvent>;

/** Enough for any stream that was away a moment; long enough for a reconnecting one. */
const MAX_EVENTS = 500;
const EVENTS_TTL_MS = 10 * 60 * 1000;

export const instanceEventsKey = (instanceId: string) => `mcp_instance_events:${instanceId}`;

/** Best effort: a lost change costs a client a stale list until its next refresh, never a request. */
export async function publishInstanceEvent({
  instanceId,
  event,
}: {
  instanceId: string;
  event: TInstanceEvent;
}): Promise<void> {
  try {
    await getRedis().appendLog(instanceEventsKey(instanceId), JSON.stringify(event), {
      maxLen: MAX_EVENTS,
      ttlMs: EVENTS_TTL_MS,
    });
  } catch (error) {
    getLogger().warn({ err: error, instanceId }, "publishing an instance's change failed");
  }
}
