import { z } from "zod";
import { getEnv } from "../../env";
import { getRedis } from "../../redis";

// The resources a 2025 session subscribed to (resources/subscribe), as an append-only Redis log of
// subscribe and unsubscribe steps: concurrent requests at several app processes each add their step
// and nothing is lost to a read-modify-write race. The process holding the session's GET stream folds
// it into the current set, to subscribe at 2026-07-28 backends (which keep no session to remember it:
// Tumiki asks them on a subscriptions/listen stream instead). Lives as long as the session.

const ZStep = z.object({
  op: z.enum(["subscribe", "unsubscribe"]),
  serverId: z.string(),
  uri: z.string().max(4096),
});
export type TSubscriptionStep = z.infer<typeof ZStep>;

/** More than any client needs; a session cannot make Tumiki hold subscriptions without bound. */
export const MAX_SESSION_SUBSCRIPTIONS = 200;
const MAX_STEPS = 2 * MAX_SESSION_SUBSCRIPTIONS;

const subscriptionsKey = (sessionKey: string) => `mcp_session_subscriptions:${sessionKey}`;

export async function recordSubscriptionStep({
  sessionKey,
  step,
}: {
  sessionKey: string;
  step: TSubscriptionStep;
}): Promise<void> {
  await getRedis().appendLog(subscriptionsKey(sessionKey), JSON.stringify(step), {
    maxLen: MAX_STEPS,
    ttlMs: getEnv().MCP_SESSION_TTL_SECONDS * 1000,
  });
}

/** The session's current subscriptions, by backend server id. */
export async function readSessionSubscriptions(sessionKey: string): Promise<Map<string, Set<string>>> {
  const entries = await getRedis().readLog(subscriptionsKey(sessionKey), "0", MAX_STEPS);
  const current = new Map<string, Set<string>>();
  for (const entry of entries) {
    const step = ZStep.safeParse(JSON.parse(entry.value));
    if (!step.success) continue;
    const { op, serverId, uri } = step.data;
    const uris = current.get(serverId) ?? new Set<string>();
    if (op === "subscribe") uris.add(uri);
    else uris.delete(uri);
    current.set(serverId, uris);
  }
  return current;
}
