import { randomUUID } from "node:crypto";
import type { TBackendChannel } from "../backend-channel";
import { readBackendEvents } from "../relay/read-backend-events";
import { sendOnChannel } from "../send-on-channel";
import type { TBackendFeed } from "./open-legacy-backend-feed";
import type { TSubscriptionFilter } from "./subscription-filter";

// A 2026-07-28 backend's stream of change notifications: a subscriptions/listen stream opened with a
// filter (basic/patterns/subscriptions.mdx). Resolves once the backend acknowledged it; null when the
// backend offers none ("method not found", or an immediate end). The messages then arrive until the
// stream ends.

export async function openModernBackendFeed({
  channel,
  filter,
  signal,
}: {
  channel: Extract<TBackendChannel, { era: "modern" }>;
  filter: TSubscriptionFilter;
  signal: AbortSignal;
}): Promise<TBackendFeed | null> {
  const id = `tumiki-listen-${randomUUID()}`;
  const { reply } = await sendOnChannel({
    channel,
    message: { jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications: filter } },
    signal,
  });
  const messages = readBackendEvents({ channel, reply, requestId: id, signal });
  const first = await messages.next();
  if (first.done) return null;
  const opening = first.value;
  if (opening.kind === "response") {
    // "Method not found" (it offers no subscriptions), or an immediate graceful end: nothing to follow.
    return null;
  }
  if (
    opening.kind !== "notification" ||
    opening.message.method !== "notifications/subscriptions/acknowledged"
  ) {
    throw new Error("the backend's listen stream did not start with its acknowledgement");
  }
  return { messages };
}
