import { exposeUri } from "./aggregated-names";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { buildFailureAnswer, type TCallOutcome } from "./build-failure-answer";
import { classifyBackendMessage } from "./classify-backend-message";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TJsonRpcNotification, TJsonRpcRequest, TJsonRpcResponse } from "./json-rpc-schemas";
import { type TMcpRequestContext, toTarget } from "./mcp-request-context";
import { outcomeOfResponse } from "./outcome-of-response";
import { relayBackendStream } from "./relay-backend-stream";
import { sendToBackend } from "./send-to-backend";
import { toBackendUnavailable } from "./to-backend-unavailable";

// Sends a client's request (tools/call, resources/read, prompts/get, completion/complete) to the
// backend that owns it, with the client's id, and answers with the backend's answer: JSON when the
// backend answered JSON, an SSE stream relayed as it arrives when it streamed. The request ends when
// the client goes away or, at the latest, shortly before the route's maxDuration.

/** Below the route's maxDuration (300 s), so the client gets an answer rather than a cut connection. */
const FORWARD_DEADLINE_MS = 290_000;

const NO_STORE = { "Cache-Control": "no-store" };

export async function forwardRequest({
  ctx,
  request,
  backend,
  params,
  isToolCall,
  mapResponse = (response) => response,
  settle = () => undefined,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
  backend: TInstanceBackend;
  /** The request's params as the backend must see them (its own names and URIs). */
  params: Record<string, unknown>;
  isToolCall: boolean;
  mapResponse?: (response: TJsonRpcResponse) => TJsonRpcResponse;
  settle?: (outcome: TCallOutcome) => void;
}): Promise<Response> {
  const target = toTarget(ctx, backend);
  const abort = new AbortController();
  const signal = AbortSignal.any([abort.signal, ctx.signal, AbortSignal.timeout(FORWARD_DEADLINE_MS)]);
  const buildFailure = (error: unknown) =>
    buildFailureAnswer({
      error,
      backend,
      requestId: request.id,
      supportsUrlElicitation: ctx.handle.session.supportsUrlElicitation,
      isToolCall,
    });
  const answerFailure = (error: unknown) => {
    const failure = buildFailure(error);
    settle(failure.settled);
    return Response.json(failure.message, { headers: NO_STORE });
  };

  let sent: Awaited<ReturnType<typeof sendToBackend>>;
  try {
    sent = await sendToBackend({ target, message: { ...request, params }, signal });
  } catch (error) {
    return answerFailure(error);
  }
  const { reply, backendSession } = sent;

  if (!(reply.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream")) {
    try {
      const message = classifyBackendMessage(JSON.parse(await new Response(reply.body).text()));
      if (message?.kind !== "response" || message.message.id !== request.id) {
        throw new BackendUnavailableError({ reason: "invalid_response", serverName: backend.name });
      }
      const response = mapResponse(message.message);
      settle(outcomeOfResponse(response));
      return Response.json(response, { headers: NO_STORE });
    } catch (error) {
      return answerFailure(
        error instanceof SyntaxError
          ? new BackendUnavailableError({ reason: "invalid_response", serverName: backend.name })
          : toBackendUnavailable({ error, serverName: backend.name, signal }),
      );
    }
  }

  const stream = relayBackendStream({
    target,
    backendSession,
    reply,
    requestId: request.id,
    mapResponse,
    // Progress and log messages name nothing of the server; a resource update names its URI.
    mapNotification: (notification: TJsonRpcNotification) =>
      notification.method === "notifications/resources/updated" &&
      typeof notification.params?.uri === "string"
        ? {
            ...notification,
            params: {
              ...notification.params,
              uri: exposeUri(ctx.backends, backend, notification.params.uri),
            },
          }
        : notification,
    buildFailure,
    abortBackend: () => abort.abort(),
    signal,
    settle,
  });
  return new Response(stream, {
    headers: { ...NO_STORE, "Content-Type": "text/event-stream" },
  });
}
