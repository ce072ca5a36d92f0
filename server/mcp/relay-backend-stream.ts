import { getLogger } from "../logger";
import type { TOutboundStream } from "../net/request-outbound-stream";
import { answerBackendRequest } from "./answer-backend-request";
import type { TBackendTarget } from "./backend-target";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TCallOutcome } from "./build-failure-answer";
import { classifyBackendMessage } from "./classify-backend-message";
import type { TJsonRpcNotification, TJsonRpcResponse, TRequestId } from "./json-rpc-schemas";
import type { TBackendSession } from "./mcp-session-schemas";
import { postToBackend } from "./post-to-backend";
import { readSseMessages } from "./read-sse-messages";

// A backend's SSE answer, relayed to the client event by event as it arrives (progress before the
// result; nothing buffered whole). The backend's own requests are answered by Tumiki and not relayed;
// the stream ends with the response to the client's request. If the client goes away, the backend
// request is aborted and the backend told to cancel it, since it may otherwise work on for nobody.

const encoder = new TextEncoder();
const toEvent = (message: unknown) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);

export function relayBackendStream({
  target,
  backendSession,
  reply,
  requestId,
  mapResponse,
  mapNotification,
  buildFailure,
  abortBackend,
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
  /** Called once, when the request has ended one way or another. */
  settle: (outcome: TCallOutcome) => void;
}): ReadableStream<Uint8Array> {
  const messages = readSseMessages(reply.body);
  let finished = false;
  const finish = async (outcome: TCallOutcome) => {
    finished = true;
    settle(outcome);
    await messages.return(undefined);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await messages.next();
          if (next.done) {
            throw new BackendUnavailableError({ reason: "closed_early", serverName: target.backend.name });
          }
          const message = classifyBackendMessage(next.value);
          if (message?.kind === "request") {
            answerBackendRequest({ target, backendSession, request: message.message });
          } else if (message?.kind === "notification") {
            controller.enqueue(toEvent(mapNotification(message.message)));
            return;
          } else if (message?.kind === "response" && message.message.id === requestId) {
            const response = mapResponse(message.message);
            controller.enqueue(toEvent(response));
            controller.close();
            await finish(outcomeOf(response));
            return;
          }
        }
      } catch (error) {
        if (finished) return;
        const failure = buildFailure(error);
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

export function outcomeOf(response: TJsonRpcResponse): TCallOutcome {
  if ("error" in response) return { outcome: "FAILURE", reason: "json_rpc_error" };
  return response.result.isError === true
    ? { outcome: "FAILURE", reason: "tool_error" }
    : { outcome: "SUCCESS" };
}
