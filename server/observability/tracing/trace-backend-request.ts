import {
  type Context,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { TOutboundStream } from "../../net/request-outbound-stream";
import { isRecord } from "../../protocol/is-record";
import { MCP_PROTOCOL_VERSION_HEADER, MCP_SESSION_HEADER } from "../../protocol/mcp-protocol";
import { describeMcpSpan, type TMcpMessageLike } from "./describe-mcp-span";
import { errorTypeOf } from "./error-type-of";

// The CLIENT span of one JSON-RPC message Tumiki POSTs to a backend (a relayed call, a list, an
// initialize of its own), a child of the client request's SERVER span. The message carries the span on
// as the MCP conventions want it, in `params._meta` (`traceparent`, `tracestate`: whatever the client put
// there is replaced by Tumiki's own context, every other `_meta` key is kept); request-backend.ts adds
// the same context as HTTP headers. The span ends when the backend's answer has been read (or let go
// of): for a streamed tool call, when the stream ends. It records the transport's outcome (an HTTP
// error status, an unreachable backend); the JSON-RPC outcome the client got is on the SERVER span.
// Without a recording span nothing is wrapped and no attribute is computed.

const tracer = trace.getTracer("tumiki");

const isMcpMessage = (message: unknown): message is TMcpMessageLike & Record<string, unknown> =>
  isRecord(message) && typeof message.method === "string";

/** The message with `_meta.traceparent` (and `tracestate`) naming the span of `carried`. */
function withTraceMeta(message: TMcpMessageLike & Record<string, unknown>, carried: Context) {
  const injected: Record<string, string> = {};
  propagation.inject(carried, injected);
  if (injected.traceparent === undefined) return message;
  const params = isRecord(message.params) ? message.params : {};
  const { traceparent: _parent, tracestate: _state, ...kept } = isRecord(params._meta) ? params._meta : {};
  return { ...message, params: { ...params, _meta: { ...kept, ...injected } } };
}

function failSpan(span: Span, errorType: string): void {
  span.setAttribute("error.type", errorType);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The same body, ending the span once it has been read to the end, failed, or been cancelled. */
function endWithBody(body: ReadableStream<Uint8Array>, span: Span): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) {
          controller.enqueue(value);
          return;
        }
        span.end();
        controller.close();
      } catch (error) {
        failSpan(span, errorTypeOf(error));
        span.end();
        controller.error(error);
      }
    },
    async cancel(reason) {
      span.end();
      await reader.cancel(reason);
    },
  });
}

export async function traceBackendRequest({
  message,
  url,
  serverSlug,
  mcpHeaders,
  send,
}: {
  /** The JSON-RPC message as framed for the backend. */
  message: unknown;
  /** The backend's MCP endpoint. */
  url: string;
  serverSlug: string;
  /** The protocol headers sent with it (version, the backend's session). */
  mcpHeaders: Record<string, string>;
  /** POSTs the message (with the trace context carried in it) inside the span's context. */
  send: (message: unknown) => Promise<TOutboundStream>;
}): Promise<TOutboundStream> {
  // A response (Tumiki answering a backend's request) starts no span: the backend's request has it.
  if (!isMcpMessage(message)) return send(message);
  const described = describeMcpSpan({
    message,
    sessionId: mcpHeaders[MCP_SESSION_HEADER],
    protocolVersion: mcpHeaders[MCP_PROTOCOL_VERSION_HEADER],
  });
  const span = tracer.startSpan(described.name, { kind: SpanKind.CLIENT });
  const recording = span.isRecording();
  if (recording) {
    const { hostname, port, protocol } = new URL(url);
    span.setAttributes({
      ...described.attributes(),
      "server.address": hostname,
      "server.port": Number(port || (protocol === "https:" ? 443 : 80)),
      "tumiki.server.slug": serverSlug,
    });
  }
  const carried = trace.setSpan(context.active(), span);
  try {
    const reply = await context.with(carried, () => send(withTraceMeta(message, carried)));
    if (!recording) {
      span.end();
      return reply;
    }
    span.setAttribute("http.response.status_code", reply.status);
    if (reply.status >= 400) failSpan(span, String(reply.status));
    return { ...reply, body: endWithBody(reply.body, span) };
  } catch (error) {
    if (recording) failSpan(span, errorTypeOf(error));
    span.end();
    throw error;
  }
}
