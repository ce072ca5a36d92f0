import { LAST_EVENT_ID_HEADER } from "../../protocol/mcp-protocol";
import type { TBackendChannel } from "../backend-channel";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { classifyBackendMessage } from "../classify-backend-message";
import { frameForBackend } from "../frame-for-backend";
import type { TJsonRpcMessage } from "../json-rpc-schemas";
import { readSseEvents, type TSseCursor } from "../read-sse-messages";
import { requestBackend } from "../request-backend";

// A 2025 backend's stream of notifications (and requests of its own, such as roots/list): the
// standalone GET stream of its session, resumed from an event id when one is given. Resolves once the
// stream is established; null when the backend offers none (405). The messages then arrive until the
// stream ends (open-modern-backend-feed.ts: the 2026-07-28 counterpart).

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
  // The current credential at every (re)opening: a feed outlives the token it first opened with.
  const reply = await requestBackend({
    target: channel.target,
    method: "GET",
    headers: {
      ...headers,
      accept: "text/event-stream",
      ...(lastEventId ? { [LAST_EVENT_ID_HEADER]: lastEventId } : {}),
    },
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
