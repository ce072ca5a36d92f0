import { setTimeout as sleep } from "node:timers/promises";
import { ReAuthRequiredError } from "../../backends/re-auth-required-error";
import type { TOutboundStream } from "../../net/request-outbound-stream";
import { LAST_EVENT_ID_HEADER } from "../../protocol/mcp-protocol";
import type { TBackendChannel } from "../backend-channel";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { classifyBackendMessage } from "../classify-backend-message";
import { frameForBackend } from "../frame-for-backend";
import type { TJsonRpcMessage, TRequestId } from "../json-rpc-schemas";
import { readJsonMessages } from "../read-json-messages";
import { readSseEvents, type TSseCursor } from "../read-sse-messages";
import { requestBackend } from "../request-backend";
import { toBackendUnavailable } from "../to-backend-unavailable";

// The messages of a backend's answer to one request, in order, up to and including the response to it:
// a JSON body (one message, or several as newline-delimited JSON), or the events of an SSE stream, as
// they arrive. A 2025 backend may close its stream
// before the response, to be polled (MCP 2025-11-25 resumability, SEP-1699): Tumiki then waits the
// `retry` it asked for and resumes the stream with GET and Last-Event-ID in the same backend session,
// so the client never notices. Messages that are not JSON-RPC, and responses to other requests, are
// dropped.

const MAX_RESUMES = 20;
const MAX_RETRY_WAIT_MS = 10_000;
const DEFAULT_RETRY_MS = 1_000;

const isSse = (reply: TOutboundStream) =>
  (reply.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");

async function resumeStream(
  channel: Extract<TBackendChannel, { era: "legacy" }>,
  lastEventId: string,
  signal?: AbortSignal,
): Promise<TOutboundStream> {
  const { headers } = frameForBackend(channel, { jsonrpc: "2.0" });
  // The current credential, not the call's: the token may have been renewed since the call began.
  const reply = await requestBackend({
    target: channel.target,
    method: "GET",
    headers: { ...headers, accept: "text/event-stream", [LAST_EVENT_ID_HEADER]: lastEventId },
    signal,
  });
  if (reply.status !== 200 || !isSse(reply)) {
    await reply.body.cancel().catch(() => undefined);
    throw new BackendUnavailableError({ reason: "closed_early", serverName: channel.target.backend.name });
  }
  return reply;
}

export async function* readBackendEvents({
  channel,
  reply,
  requestId,
  signal,
}: {
  channel: TBackendChannel;
  reply: TOutboundStream;
  requestId: TRequestId;
  signal?: AbortSignal;
}): AsyncGenerator<TJsonRpcMessage> {
  const serverName = channel.target.backend.name;
  try {
    if (!isSse(reply)) {
      for await (const value of readJsonMessages(reply.body)) {
        const message = classifyBackendMessage(value);
        if (!message || (message.kind === "response" && message.message.id !== requestId)) continue;
        yield message;
        if (message.kind === "response" && message.message.id === requestId) return;
      }
      throw new BackendUnavailableError({ reason: "invalid_response", serverName });
    }
    const cursor: TSseCursor = { lastEventId: undefined, retryMs: undefined };
    let body = reply.body;
    for (let resumes = 0; ; resumes += 1) {
      for await (const event of readSseEvents(body, cursor)) {
        const message = classifyBackendMessage(event.message);
        if (!message || (message.kind === "response" && message.message.id !== requestId)) continue;
        yield message;
        if (message.kind === "response" && message.message.id === requestId) return;
      }
      if (channel.era !== "legacy" || cursor.lastEventId === undefined || resumes >= MAX_RESUMES) {
        throw new BackendUnavailableError({ reason: "closed_early", serverName });
      }
      await sleep(Math.min(cursor.retryMs ?? DEFAULT_RETRY_MS, MAX_RETRY_WAIT_MS), undefined, { signal });
      body = (await resumeStream(channel, cursor.lastEventId, signal)).body;
    }
  } catch (error) {
    // A resumption whose credential the backend refused for good: the user must reconnect the server.
    if (error instanceof ReAuthRequiredError) throw error;
    if (error instanceof SyntaxError)
      throw new BackendUnavailableError({ reason: "invalid_response", serverName });
    throw toBackendUnavailable({ error, serverName, signal });
  }
}
