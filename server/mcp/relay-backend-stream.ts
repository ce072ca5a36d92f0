import { getLogger } from "../logger";
import type { TOutboundStream } from "../net/request-outbound-stream";
import { answerBackendRequest } from "./answer-backend-request";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TCallOutcome } from "./build-failure-answer";
import { classifyBackendMessage } from "./classify-backend-message";
import type { TJsonRpcNotification, TJsonRpcResponse, TRequestId } from "./json-rpc-schemas";
import type { TBackendSession } from "./mcp-session-schemas";
import { outcomeOfResponse } from "./outcome-of-response";
import { postToBackend } from "./post-to-backend";
import { readSseMessages } from "./read-sse-messages";
import { toBackendUnavailable } from "./to-backend-unavailable";

// A backend's SSE answer, relayed to the client event by event as it arrives (progress before the
// result; nothing buffered whole). The backend's own requests are answered by Tumiki and not relayed
// (a few per stream: a backend must not make Tumiki send requests without bound); the stream ends with
// the response to the client's request. A comment line every 15 s keeps proxies between the client and
// Tumiki from closing a quiet stream. If the client goes away, the backend request is aborted and the
// backend told to cancel it, since it may otherwise work on for nobody.

const encoder = new TextEncoder();
const toEvent = (message: unknown) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
const KEEPALIVE = encoder.encode(": keepalive\n\n");
const KEEPALIVE_INTERVAL_MS = 15_000;
const MAX_BACKEND_REQUESTS_PER_STREAM = 16;

export function relayBackendStream({
  target,
  backendSession,
  reply,
  requestId,
  mapResponse,
  mapNotification,
  buildFailure,
  abortBackend,
  signal,
  settle,
}: {
  target: TBackendTarget;
  backendSession: TBackendSession;
  reply: TOutboundStream;
  requestId: TRequestId;
  mapResponse: (response: TJsonRpcResponse) => TJsonRpcResponse;
  mapNotification: (notification: TJsonRpcNotification) => TJsonRpcNotification;
  /** The client's answer when the backend fails mid-stream (see build-failure-answer.ts). */
  buildFailure: (error: unknown) => { message: Record<string, unknown>; settled: TCallOutcome };
  abortBackend: () => void;
  /** The backend request's signal (client gone, deadline): tells a timeout from a broken stream. */
  signal: AbortSignal;
  /** Called once, when the request has ended one way or another. */
  settle: (outcome: TCallOutcome) => void;
}): ReadableStream<Uint8Array> {
  const messages = readSseMessages(reply.body);
  const serverName = target.backend.name;
  let finished = false;
  let backendRequests = 0;
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const finish = async (outcome: TCallOutcome) => {
    finished = true;
    clearInterval(keepalive);
    settle(outcome);
    await messages.return(undefined);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      keepalive = setInterval(() => {
        if (!finished) controller.enqueue(KEEPALIVE);
      }, KEEPALIVE_INTERVAL_MS);
    },
    async pull(controller) {
      try {
        for (;;) {
          const next = await messages.next();
          if (next.done) throw new BackendUnavailableError({ reason: "closed_early", serverName });
          const message = classifyBackendMessage(next.value);
          if (message?.kind === "request") {
            backendRequests += 1;
            if (backendRequests > MAX_BACKEND_REQUESTS_PER_STREAM) {
              throw new BackendUnavailableError({ reason: "invalid_response", serverName });
            }
            answerBackendRequest({ target, backendSession, request: message.message });
          } else if (message?.kind === "notification") {
            controller.enqueue(toEvent(mapNotification(message.message)));
            return;
          } else if (message?.kind === "response" && message.message.id === requestId) {
            const response = mapResponse(message.message);
            controller.enqueue(toEvent(response));
            controller.close();
            await finish(outcomeOfResponse(response));
            return;
          }
        }
      } catch (error) {
        if (finished) return;
        const failure = buildFailure(toBackendUnavailable({ error, serverName, signal }));
        controller.enqueue(toEvent(failure.message));
        controller.close();
        await finish(failure.settled);
      }
    },
    async cancel() {
      if (finished) return;
      abortBackend();
      await finish({ outcome: "FAILURE", reason: "client_disconnected" });
      postToBackend({
        target,
        backendSession,
        message: {
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId, reason: "The client disconnected." },
        },
      })
        .then((ack) => ack.body.cancel())
        .catch((error: unknown) =>
          getLogger().debug(
            { err: error, server: target.backend.slug },
            "telling a backend to cancel failed",
          ),
        );
    },
  });
}
