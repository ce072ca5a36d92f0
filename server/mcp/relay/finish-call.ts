import { JSON_RPC_ERROR, MODERN_ERROR_CODES } from "../../protocol/mcp-protocol";
import { frameResultForClient } from "../frame-result-for-client";
import type { TJsonRpcResponse } from "../json-rpc-schemas";
import { outcomeOfResponse } from "../outcome-of-response";
import { mapResultUris } from "./map-result-uris";
import type { TRelayedCall } from "./relayed-call";

// How a relayed call ends for the client with the backend's response: under the client's own id, its
// URIs in the aggregate's form and its fields in the client's era (fail-call.ts: when the backend could
// not answer; finish-with-input-required.ts: when the client must answer first).

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

export function finishCall({
  call,
  response,
  status,
}: {
  call: TRelayedCall;
  response: TJsonRpcResponse;
  /** The backend's HTTP status (a 2026-07-28 protocol error travels on 400). */
  status?: number;
}): void {
  const { ctx, request, backend } = call;
  if ("error" in response) {
    const error = errorForClient(call, response.error);
    call.settle(outcomeOfResponse({ ...response, error }));
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
