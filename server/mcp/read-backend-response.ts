import type { TOutboundStream } from "../net/request-outbound-stream";
import { answerBackendRequest } from "./answer-backend-request";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { classifyBackendMessage } from "./classify-backend-message";
import type { TJsonRpcResponse, TRequestId } from "./json-rpc-schemas";
import type { TBackendSession } from "./mcp-session-schemas";
import { readSseMessages } from "./read-sse-messages";
import { toBackendUnavailable } from "./to-backend-unavailable";

// The backend's answer to a request Tumiki sent for itself (initialize, a list page), read whole:
// a JSON body, or an SSE stream read up to the response with the request's id. Notifications on the
// way are not for any client and are dropped; the backend's own requests are answered.

/** A backend must not make Tumiki send requests without bound while it waits for one answer. */
const MAX_BACKEND_REQUESTS = 16;

const isSse = (reply: TOutboundStream) =>
  (reply.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");

export async function readBackendResponse({
  target,
  backendSession,
  reply,
  requestId,
  signal,
}: {
  target: TBackendTarget;
  backendSession: TBackendSession;
  reply: TOutboundStream;
  requestId: TRequestId;
  signal?: AbortSignal;
}): Promise<TJsonRpcResponse> {
  const serverName = target.backend.name;
  const invalid = () => new BackendUnavailableError({ reason: "invalid_response", serverName });
  try {
    if (!isSse(reply)) {
      const message = classifyBackendMessage(JSON.parse(await new Response(reply.body).text()));
      if (message?.kind !== "response" || message.message.id !== requestId) throw invalid();
      return message.message;
    }
    let backendRequests = 0;
    for await (const value of readSseMessages(reply.body)) {
      const message = classifyBackendMessage(value);
      if (message?.kind === "response" && message.message.id === requestId) return message.message;
      if (message?.kind !== "request") continue;
      backendRequests += 1;
      if (backendRequests > MAX_BACKEND_REQUESTS) throw invalid();
      answerBackendRequest({ target, backendSession, request: message.message });
    }
  } catch (error) {
    if (error instanceof SyntaxError) throw invalid();
    throw toBackendUnavailable({ error, serverName, signal });
  }
  throw new BackendUnavailableError({ reason: "closed_early", serverName });
}
