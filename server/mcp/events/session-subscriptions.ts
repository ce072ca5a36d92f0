import { z } from "zod";
import { getEnv } from "../../env";
import { getRedis, type RedisLogEntry } from "../../redis";
import { compareLogIds } from "../../redis/compare-log-ids";

// The resources a 2025 session subscribed to (resources/subscribe), as an append-only Redis log of
// subscribe and unsubscribe steps: concurrent requests at several app processes each add their step
// and nothing is lost to a read-modify-write race. The process holding the session's GET stream folds
// it into the current set, to subscribe at 2026-07-28 backends (which keep no session to remember it:
// Tumiki asks them on a subscriptions/listen stream instead). Lives as long as the session.
//
// The log is capped, so a session that keeps subscribing and unsubscribing would see its oldest steps
// trimmed away. Every so many steps a writer therefore appends a snapshot: the set as folded up to the
// last entry it read (`upTo`). A reader starts from the newest snapshot and applies every step after
// `upTo`, wherever in the log it sits: a step another process appended while the snapshot was being
// made lands before the snapshot but after `upTo`, and is not lost.

const ZUri = z.string().max(4096);
const ZEntry = z.discriminatedUnion("op", [
  z.object({ op: z.enum(["subscribe", "unsubscribe"]), serverId: z.string(), uri: ZUri }),
  z.object({
    op: z.literal("snapshot"),
    upTo: z.string(),
    subscriptions: z.record(z.string(), z.array(ZUri)),
  }),
]);
type TEntry = z.infer<typeof ZEntry>;
export type TSubscriptionStep = Exclude<TEntry, { op: "snapshot" }>;

/** More than any client needs; a session cannot make Tumiki hold subscriptions without bound. */
export const MAX_SESSION_SUBSCRIPTIONS = 200;
const SNAPSHOT_EVERY = 100;
/** Snapshots come every SNAPSHOT_EVERY steps, so the newest is always far within the cap. */
const MAX_LOG_ENTRIES = 500;
const READ_PAGE = 500;

const subscriptionsKey = (sessionKey: string) => `mcp_session_subscriptions:${sessionKey}`;

type TFold = {
  current: Map<string, Set<string>>;
  /** The last entry read ("0" for an empty log). */
  lastId: string;
  stepsSinceSnapshot: number;
};

async function readWholeLog(key: string): Promise<RedisLogEntry[]> {
  const entries: RedisLogEntry[] = [];
  for (let after = "0"; ; ) {
    const page = await getRedis().readLog(key, after, READ_PAGE);
    entries.push(...page);
    if (page.length < READ_PAGE) return entries;
    after = page[page.length - 1]?.id ?? after;
  }
}

async function foldSubscriptions(sessionKey: string): Promise<TFold> {
  const entries: { id: string; entry: TEntry }[] = [];
  for (const { id, value } of await readWholeLog(subscriptionsKey(sessionKey))) {
    const parsed = ZEntry.safeParse(JSON.parse(value));
    if (parsed.success) entries.push({ id, entry: parsed.data });
  }
  const current = new Map<string, Set<string>>();
  let upTo = "0";
  const snapshot = entries.findLast(({ entry }) => entry.op === "snapshot")?.entry;
  if (snapshot?.op === "snapshot") {
    upTo = snapshot.upTo;
    for (const [serverId, uris] of Object.entries(snapshot.subscriptions))
      current.set(serverId, new Set(uris));
  }
  let stepsSinceSnapshot = 0;
  for (const { id, entry } of entries) {
    if (entry.op === "snapshot" || compareLogIds(id, upTo) <= 0) continue;
    stepsSinceSnapshot += 1;
    const uris = current.get(entry.serverId) ?? new Set<string>();
    if (entry.op === "subscribe") uris.add(entry.uri);
    else uris.delete(entry.uri);
    current.set(entry.serverId, uris);
  }
  return { current, lastId: entries.at(-1)?.id ?? "0", stepsSinceSnapshot };
}

const countSubscriptions = (current: Map<string, Set<string>>) =>
  [...current.values()].reduce((total, uris) => total + uris.size, 0);

/**
 * Adds a step to the session's subscriptions. A subscription beyond MAX_SESSION_SUBSCRIPTIONS is not
 * recorded ("over_limit"); unsubscribing and re-subscribing what is already held always are.
 */
export async function recordSubscriptionStep({
  sessionKey,
  step,
}: {
  sessionKey: string;
  step: TSubscriptionStep;
}): Promise<"recorded" | "over_limit"> {
  const fold = await foldSubscriptions(sessionKey);
  const held = fold.current.get(step.serverId)?.has(step.uri) ?? false;
  if (step.op === "subscribe" && !held && countSubscriptions(fold.current) >= MAX_SESSION_SUBSCRIPTIONS) {
    return "over_limit";
  }
  const key = subscriptionsKey(sessionKey);
  const options = { maxLen: MAX_LOG_ENTRIES, ttlMs: getEnv().MCP_SESSION_TTL_SECONDS * 1000 };
  await getRedis().appendLog(key, JSON.stringify(step), options);
  if (fold.stepsSinceSnapshot >= SNAPSHOT_EVERY) {
    const subscriptions = Object.fromEntries(
      [...fold.current].filter(([, uris]) => uris.size > 0).map(([serverId, uris]) => [serverId, [...uris]]),
    );
    const snapshot: TEntry = { op: "snapshot", upTo: fold.lastId, subscriptions };
    await getRedis().appendLog(key, JSON.stringify(snapshot), options);
  }
  return "recorded";
}

/** The session's current subscriptions, by backend server id. */
export async function readSessionSubscriptions(sessionKey: string): Promise<Map<string, Set<string>>> {
  return (await foldSubscriptions(sessionKey)).current;
}
