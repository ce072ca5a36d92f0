import { createContextKey, type Span, SpanStatusCode } from "@opentelemetry/api";

// The SERVER span of one client request on /mcp/{instanceId}, kept in the OpenTelemetry context of the
// request (trace-mcp-request.ts). Most requests end with their Response; a request relayed to a backend
// may stream long after it, so the relay takes the span over and ends it when the call settles
// (hand-off-mcp-request-span.ts).

export type TMcpRequestSpan = {
  span: Span;
  method: string;
  /** The relay ends the span, not the request handler. */
  handedOff: boolean;
  ended: boolean;
};

export type TMcpRequestFailure = {
  errorType: string;
  /** The JSON-RPC error code the client got, when it got one. */
  rpcCode?: number;
  /** Tumiki's own low-cardinality reason (the audit log's), e.g. "timeout", "re_auth_required". */
  reason?: string;
  /** A message safe to show (a JSON-RPC error's message as the client read it). */
  message?: string;
};

export const MCP_REQUEST_SPAN_KEY = createContextKey("tumiki.mcp.request-span");

/** Ends the span once, as a success or with the failure (`error.type`, status ERROR). */
export function endMcpRequestSpan(holder: TMcpRequestSpan, failure?: TMcpRequestFailure): void {
  if (holder.ended) return;
  holder.ended = true;
  const { span } = holder;
  if (failure && span.isRecording()) {
    span.setAttribute("error.type", failure.errorType);
    if (failure.rpcCode !== undefined) span.setAttribute("rpc.response.status_code", String(failure.rpcCode));
    if (failure.reason) span.setAttribute("tumiki.failure.reason", failure.reason);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}
