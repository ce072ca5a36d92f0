import { ReAuthRequiredError } from "../../backends/re-auth-required-error";
import { JSON_RPC_ERROR, MODERN_ERROR_CODES } from "../../protocol/mcp-protocol";
import { buildFailureAnswer } from "../build-failure-answer";
import { supportsUrlElicitation } from "../client-capabilities";
import { frameResultForClient } from "../frame-result-for-client";
import { sealRequestState } from "../input/request-state";
import type { TJsonRpcResponse } from "../json-rpc-schemas";
import { outcomeOfResponse } from "../outcome-of-response";
import { mapResultUris } from "./map-result-uris";
import type { TRelayedCall } from "./relayed-call";

// How a relayed call ends for the client: the backend's response under the client's own id, its URIs
// in the aggregate's form and its fields in the client's era; or, when the backend could not answer,
// the failure answer (build-failure-answer.ts). A 2026-07-28 client that must reconnect a backend is
// asked the 2026-07-28 way: a URL elicitation inside an InputRequiredResult (the -32042 error of 2025
// does not exist there), whose retry simply runs the request again.

/** 2025-11-25 names resource-not-found -32002; 2026-07-28 uses invalid params (-32602). */
function errorForClient(call: TRelayedCall, error: { code: number; message: string; data?: unknown }) {
  if (
    call.ctx.client.era === "modern" &&
    call.request.method === "resources/read" &&
    error.code === JSON_RPC_ERROR.legacyResourceNotFound
  ) {
    return { ...error, code: JSON_RPC_ERROR.invalidParams };
  }
  return error;
}

export function finishCall(call: TRelayedCall, response: TJsonRpcResponse, status?: number): void {
  const { ctx, request, backend } = call;
  if ("error" in response) {
    const error = errorForClient(call, response.error);
    call.settle(outcomeOfResponse(response));
    // 2026-07-28 answers its own protocol errors with 400; elsewhere a JSON-RPC error travels on 200.
    const modernStatus =
      ctx.client.era === "modern" && MODERN_ERROR_CODES.includes(error.code) ? status : undefined;
    call.reply.end({ jsonrpc: "2.0", id: request.id, error }, modernStatus);
    return;
  }
  const mapped = mapResultUris({
    backends: ctx.backends,
    backend,
    method: request.method,
    result: response.result,
  });
  const result = frameResultForClient({ client: ctx.client, method: request.method, result: mapped });
  call.settle(outcomeOfResponse({ ...response, result }));
  call.reply.end({ jsonrpc: "2.0", id: request.id, result });
}

/** Ends the call with an InputRequiredResult carrying Tumiki's sealed state (2026-07-28 clients only). */
export function finishWithInputRequired(
  call: TRelayedCall,
  input: { inputRequests?: Record<string, unknown>; state: Parameters<typeof sealRequestState>[0]["state"] },
): void {
  const { ctx, request } = call;
  const requestState = sealRequestState({
    userId: ctx.auth.userId,
    instanceId: ctx.instanceId,
    digest: call.digest,
    state: input.state,
  });
  const result = frameResultForClient({
    client: ctx.client,
    method: request.method,
    result: {
      resultType: "input_required",
      ...(input.inputRequests ? { inputRequests: input.inputRequests } : {}),
      requestState,
    },
  });
  call.settle({ outcome: "SUCCESS", reason: "input_required" });
  call.reply.end({ jsonrpc: "2.0", id: request.id, result });
}

export function failCall(call: TRelayedCall, error: unknown): void {
  const { ctx, request, backend } = call;
  if (
    error instanceof ReAuthRequiredError &&
    ctx.client.era === "modern" &&
    supportsUrlElicitation(ctx.client.capabilities)
  ) {
    finishWithInputRequired(call, {
      inputRequests: {
        reconnect: {
          method: "elicitation/create",
          params: {
            mode: "url",
            url: error.reconnectUrl,
            message: `Sign in to ${backend.name} again so Tumiki can use it on your behalf.`,
          },
        },
      },
      state: { kind: "reauth", serverId: backend.mcpServerId },
    });
    return;
  }
  const failure = buildFailureAnswer({
    error,
    backend,
    requestId: request.id,
    supportsUrlElicitation: ctx.client.era === "legacy" && supportsUrlElicitation(ctx.client.capabilities),
    isToolCall: call.isToolCall,
  });
  call.settle(failure.settled);
  const message = failure.message as { result?: Record<string, unknown> };
  call.reply.end(
    message.result
      ? {
          ...message,
          result: frameResultForClient({
            client: ctx.client,
            method: request.method,
            result: message.result,
          }),
        }
      : message,
  );
}
