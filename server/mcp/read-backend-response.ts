import type { TOutboundStream } from "../net/request-outbound-stream";
import { answerBackendRequest } from "./answer-backend-request";
import type { TBackendChannel } from "./backend-channel";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TJsonRpcResponse, TRequestId } from "./json-rpc-schemas";
import { readBackendEvents } from "./relay/read-backend-events";

// The backend's answer to a request Tumiki sent for itself (initialize, discover, a list page), read
// whole. Notifications on the way are not for any client and are dropped; the backend's own requests
// are answered (answer-backend-request.ts), a few at most: a backend must not make Tumiki send
// requests without bound while it waits for one answer.

const MAX_BACKEND_REQUESTS = 16;

export async function readBackendResponse({
  channel,
  reply,
  requestId,
  signal,
}: {
  channel: TBackendChannel;
  reply: TOutboundStream;
  requestId: TRequestId;
  signal?: AbortSignal;
}): Promise<TJsonRpcResponse> {
  let backendRequests = 0;
  for await (const message of readBackendEvents({ channel, reply, requestId, signal })) {
    if (message.kind === "response") return message.message;
    if (message.kind !== "request") continue;
    backendRequests += 1;
    if (backendRequests > MAX_BACKEND_REQUESTS) {
      throw new BackendUnavailableError({
        reason: "invalid_response",
        serverName: channel.target.backend.name,
      });
    }
    answerBackendRequest({ channel, request: message.message });
  }
  throw new BackendUnavailableError({ reason: "closed_early", serverName: channel.target.backend.name });
}
