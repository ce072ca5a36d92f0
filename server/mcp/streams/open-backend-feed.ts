import { randomUUID } from "node:crypto";
import { getEnv } from "../../env";
import { requestOutboundStream } from "../../net/request-outbound-stream";
import { LAST_EVENT_ID_HEADER } from "../../protocol/mcp-protocol";
import type { TBackendChannel } from "../backend-channel";
import { MAX_BACKEND_RESPONSE_BYTES } from "../backend-target";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { classifyBackendMessage } from "../classify-backend-message";
import { frameForBackend } from "../frame-for-backend";
import type { TJsonRpcMessage } from "../json-rpc-schemas";
import { readSseEvents, type TSseCursor } from "../read-sse-messages";
import { readBackendEvents } from "../relay/read-backend-events";
import { sendOnChannel } from "../send-on-channel";

// A backend's stream of notifications, in its era: a 2025 backend sends them (and requests of its own,
// such as roots/list) on the standalone GET stream of its session; a 2026-07-28 backend on a
// subscriptions/listen stream opened with a filter (basic/patterns/subscriptions.mdx). Resolves once
// the stream is established (a listen stream: once the backend acknowledged it); null when the backend
// offers no such stream (405, or "method not found"). The messages then arrive until the stream ends.

export type TSubscriptionFilter = {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
};

export type TBackendFeed = { messages: AsyncGenerator<TJsonRpcMessage>; cursor?: TSseCursor };

async function* fromSse(
  body: ReadableStream<Uint8Array>,
  cursor: TSseCursor,
): AsyncGenerator<TJsonRpcMessage> {
  for await (const event of readSseEvents(body, cursor)) {
    const message = classifyBackendMessage(event.message);
    if (message) yield message;
  }
}

export async function openLegacyBackendFeed({
  channel,
  lastEventId,
  signal,
}: {
  channel: Extract<TBackendChannel, { era: "legacy" }>;
  lastEventId?: string;
  signal: AbortSignal;
}): Promise<TBackendFeed | null> {
  const { headers } = frameForBackend(channel, { jsonrpc: "2.0" });
  const reply = await requestOutboundStream({
    url: channel.target.backend.url,
    method: "GET",
    headers: {
      ...headers,
      ...channel.authHeaders,
      accept: "text/event-stream",
      ...(lastEventId ? { [LAST_EVENT_ID_HEADER]: lastEventId } : {}),
    },
    headersTimeoutMs: getEnv().MCP_BACKEND_TIMEOUT_MS,
    maxBytes: MAX_BACKEND_RESPONSE_BYTES,
    signal,
  });
  const isSse = (reply.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
  if (reply.status !== 200 || !isSse) {
    await reply.body.cancel().catch(() => undefined);
    // A 2025 server need not offer the stream (405); anything else is a failure to retry later.
    if (reply.status === 405) return null;
    throw new BackendUnavailableError({
      reason: "http_error",
      status: reply.status,
      serverName: channel.target.backend.name,
    });
  }
  const cursor: TSseCursor = { lastEventId, retryMs: undefined };
  return { messages: fromSse(reply.body, cursor), cursor };
}

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
