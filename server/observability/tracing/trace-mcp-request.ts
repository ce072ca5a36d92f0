import {
  type Context,
  context,
  isSpanContextValid,
  type Link,
  propagation,
  SpanKind,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import { AppError } from "../../errors";
import { isRecord } from "../../protocol/is-record";
import { MCP_PROTOCOL_VERSION_HEADER, MCP_SESSION_HEADER } from "../../protocol/mcp-protocol";
import { describeMcpSpan, type TMcpMessageLike } from "./describe-mcp-span";
import { errorTypeOf } from "./error-type-of";
import { endMcpRequestSpan, MCP_REQUEST_SPAN_KEY, type TMcpRequestSpan } from "./mcp-request-span";

// The SERVER span of one client request on /mcp/{instanceId}, continuing the client's trace. The MCP
// conventions put the W3C trace context in `params._meta` (`traceparent`, `tracestate`; the 2026-07-28
// revision names them there): it is the parent when present, else the request's `traceparent` header.
// An HTTP span already active (Next.js's own, when a provider is registered) is linked, not the parent:
// one HTTP request and one MCP request are different things. A malformed traceparent is no context at
// all (the propagator ignores it): the span starts a trace of its own.
//
// Everything the request does runs inside the span's context, so each backend request becomes its
// child (trace-backend-request.ts). Without a registered provider the tracer is the no-op one and this
// costs a context switch: no attribute is computed for a span that records nothing.

const tracer = trace.getTracer("tumiki");

/** Only strings: `_meta` is client input and may hold anything under these keys. */
const metaGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (typeof carrier[key] === "string" ? (carrier[key] as string) : undefined),
};

const headersGetter: TextMapGetter<Headers> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};

/** The context the client sent (`_meta` first, then headers), on top of the active one; null if none. */
function remoteParent(active: Context, message: TMcpMessageLike, headers: Headers): Context | null {
  const meta = message.params?._meta;
  const candidates = [
    isRecord(meta) ? propagation.extract(active, meta, metaGetter) : null,
    propagation.extract(active, headers, headersGetter),
  ];
  for (const candidate of candidates) {
    const spanContext = candidate ? trace.getSpanContext(candidate) : undefined;
    if (candidate && spanContext?.isRemote && isSpanContextValid(spanContext)) return candidate;
  }
  return null;
}

export async function traceMcpRequest({
  message,
  headers,
  run,
}: {
  /** The client's JSON-RPC request. */
  message: TMcpMessageLike;
  headers: Headers;
  run: () => Promise<Response>;
}): Promise<Response> {
  const active = context.active();
  const parent = remoteParent(active, message, headers) ?? active;
  const ambient = trace.getSpanContext(active);
  const links: Link[] =
    parent !== active && ambient && isSpanContextValid(ambient) ? [{ context: ambient }] : [];
  const protocolVersion =
    headers.get(MCP_PROTOCOL_VERSION_HEADER) ??
    (message.method === "initialize" && typeof message.params?.protocolVersion === "string"
      ? message.params.protocolVersion
      : null);
  const described = describeMcpSpan({
    message,
    sessionId: headers.get(MCP_SESSION_HEADER),
    protocolVersion,
  });
  const span = tracer.startSpan(described.name, { kind: SpanKind.SERVER, links }, parent);
  if (span.isRecording()) span.setAttributes(described.attributes());
  const holder: TMcpRequestSpan = { span, method: message.method, handedOff: false, ended: false };
  try {
    const response = await context.with(
      trace.setSpan(parent, span).setValue(MCP_REQUEST_SPAN_KEY, holder),
      run,
    );
    if (!holder.handedOff) {
      endMcpRequestSpan(holder, response.status >= 400 ? { errorType: String(response.status) } : undefined);
    }
    return response;
  } catch (error) {
    const rpcCode =
      typeof error === "object" && error !== null && "rpcCode" in error ? error.rpcCode : undefined;
    endMcpRequestSpan(holder, {
      errorType: errorTypeOf(error),
      rpcCode: typeof rpcCode === "number" ? rpcCode : undefined,
      message: error instanceof AppError ? error.userMessage : undefined,
    });
    throw error;
  }
}
