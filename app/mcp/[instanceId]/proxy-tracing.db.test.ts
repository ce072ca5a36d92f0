import { randomBytes } from "node:crypto";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  addRecordingServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  postMcp,
  readRpcResponse,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { MODERN, openLegacy, type TRawTarget } from "@/server/testing/raw-mcp-requests";
import { startRecordingMcpBackend, type TRecordingBackend } from "@/server/testing/recording-mcp-backend";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Traces of the proxy (server/observability/tracing) with a real tracer provider and an in-memory
// exporter: a client's W3C trace context (the `traceparent` header of a 2025 session, or `_meta` of a
// 2026-07-28 request) is continued by Tumiki's SERVER span, each request to a backend is a CLIENT span
// under it, and the backend receives the context naming that CLIENT span, in its headers and in
// `params._meta`. Span names and attributes follow the OpenTelemetry GenAI conventions for MCP.

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let proxy: TTumikiProxy;
let recording: TRecordingBackend;
let broken: TRecordingBackend;
let modern: TModernBackend;
let healthy: TRawTarget;
let modernOnly: TRawTarget;
let failing: TRawTarget;
const undo: (() => void)[] = [];

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const clientContext = () => ({ traceId: hex(16), spanId: hex(8) });
const traceparentOf = ({ traceId, spanId }: { traceId: string; spanId: string }) =>
  `00-${traceId}-${spanId}-01`;

beforeAll(async () => {
  provider.register();
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  [recording, broken, modern] = await Promise.all([
    startRecordingMcpBackend({ name: "tracing-recording" }),
    startRecordingMcpBackend({ name: "tracing-broken" }),
    startModernBackend({ legacy: "reject", name: "tracing-modern" }),
  ]);
  undo.push(allowBackendHosts([recording.hostPort, broken.hostPort, modern.hostPort]));
  const user = await createTestUser();
  const open = async (connectionId: string) => {
    const instance = await createProxyInstance({ userId: user.id, connectionIds: [connectionId] });
    const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
    return { url: proxy.mcpUrl(instance.id), bearer: accessToken };
  };
  const recorded = (backend: TRecordingBackend, name: string) =>
    addRecordingServer({ userId: user.id, backend, name }).then((server) => server.connectionId);
  healthy = await open(await recorded(recording, "Traced"));
  failing = await open(await recorded(broken, "Broken"));
  const modernServer = await createServerConnection({
    userId: user.id,
    name: "Modern",
    url: modern.mcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  modernOnly = await open(modernServer.connectionId);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.allSettled([recording?.close(), broken?.close(), modern?.close()]);
  for (const restore of undo.reverse()) restore();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

beforeEach(() => exporter.reset());

/** The finished spans, once one matching `until` has ended (spans end as the call settles). */
async function spansOnceEnded(until: (span: ReadableSpan) => boolean): Promise<ReadableSpan[]> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const spans = exporter.getFinishedSpans();
    if (spans.some(until)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no such span; finished: ${exporter.getFinishedSpans().map((s) => s.name)}`);
}

const isServerCall = (span: ReadableSpan) => span.kind === SpanKind.SERVER && span.name === "tools/call echo";
const isBackendCall = (span: ReadableSpan) =>
  span.kind === SpanKind.CLIENT && span.name === "tools/call echo";

/** The tools/call POST a backend received last. */
function lastToolCall(backend: TRecordingBackend) {
  const request = backend.requests.filter((r) => r.method === "POST" && r.rpcMethod === "tools/call").at(-1);
  if (!request) throw new Error("the backend received no tools/call");
  const body = JSON.parse(request.body) as { params: { _meta?: Record<string, unknown> } };
  return { headers: request.headers, meta: body.params._meta ?? {} };
}

describe("a 2025 session's tools/call with a traceparent header", () => {
  it("continues the client's trace: client → Tumiki SERVER span → backend CLIENT span → backend", async () => {
    const session = await openLegacy(healthy, {});
    const client = clientContext();
    exporter.reset();
    const response = await postMcp({
      url: healthy.url,
      bearer: healthy.bearer,
      sessionId: session.sessionId,
      message: {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "echo", arguments: { text: "hi" } },
      },
      headers: { "mcp-protocol-version": session.protocolVersion, traceparent: traceparentOf(client) },
    });
    const answer = await readRpcResponse(response, 7);
    expect(answer.result?.isError).not.toBe(true);

    const spans = await spansOnceEnded((span) => isServerCall(span));
    const server = spans.find(isServerCall);
    const backendCall = spans.find(isBackendCall);
    expect(server, spans.map((s) => s.name).join()).toBeDefined();
    expect(backendCall, spans.map((s) => s.name).join()).toBeDefined();
    if (!server || !backendCall) return;

    // The chain: the client's trace id throughout, each span the child of the one before.
    expect(server.spanContext().traceId).toBe(client.traceId);
    expect(server.parentSpanContext?.spanId).toBe(client.spanId);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    expect(backendCall.spanContext().traceId).toBe(client.traceId);
    expect(backendCall.parentSpanContext?.spanId).toBe(server.spanContext().spanId);

    // The backend continues from Tumiki's CLIENT span, in the headers and in `_meta`.
    const received = lastToolCall(recording);
    const expected = `00-${client.traceId}-${backendCall.spanContext().spanId}-01`;
    expect(received.headers.traceparent).toBe(expected);
    expect(received.meta.traceparent).toBe(expected);

    // The conventions' attributes; the session id only as a digest.
    expect(server.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "echo",
      "gen_ai.operation.name": "execute_tool",
      "jsonrpc.request.id": "7",
      "mcp.protocol.version": session.protocolVersion,
      "network.transport": "tcp",
    });
    const hashedSession = server.attributes["mcp.session.id"];
    expect(hashedSession).toMatch(/^[0-9a-f]{32}$/);
    expect(hashedSession).not.toBe(session.sessionId);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(session.sessionId);
    expect(server.attributes["error.type"]).toBeUndefined();
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(backendCall.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "echo",
      "jsonrpc.request.id": "7",
      "network.transport": "tcp",
      "server.address": "localhost",
      "http.response.status_code": 200,
    });
    // No tool argument is recorded anywhere.
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('"hi"');
  });

  it("records a failed call: the backend's HTTP 500 on the CLIENT span, tool_error on the SERVER span", async () => {
    const session = await openLegacy(failing, {});
    // Only the call fails: Tumiki still learns the server's tools (its tool controls) first.
    broken.setBehavior("fail_calls");
    try {
      const client = clientContext();
      exporter.reset();
      const response = await postMcp({
        url: failing.url,
        bearer: failing.bearer,
        sessionId: session.sessionId,
        message: {
          jsonrpc: "2.0",
          id: 8,
          method: "tools/call",
          params: { name: "echo", arguments: { text: "x" } },
        },
        headers: { "mcp-protocol-version": session.protocolVersion, traceparent: traceparentOf(client) },
      });
      const answer = await readRpcResponse(response, 8);
      expect(answer.result?.isError).toBe(true);

      const spans = await spansOnceEnded(isServerCall);
      const server = spans.find(isServerCall);
      const backendCall = spans.find(isBackendCall);
      expect(server?.attributes["error.type"]).toBe("tool_error");
      expect(server?.attributes["tumiki.failure.reason"]).toBe("http_error");
      expect(server?.status.code).toBe(SpanStatusCode.ERROR);
      expect(server?.parentSpanContext?.spanId).toBe(client.spanId);
      expect(backendCall?.attributes["error.type"]).toBe("500");
      expect(backendCall?.status.code).toBe(SpanStatusCode.ERROR);
      expect(backendCall?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    } finally {
      broken.setBehavior("normal");
    }
  });

  it("names a refusal's JSON-RPC code as error.type (a tools/call without a name: -32602)", async () => {
    const session = await openLegacy(healthy, {});
    exporter.reset();
    const response = await postMcp({
      url: healthy.url,
      bearer: healthy.bearer,
      sessionId: session.sessionId,
      message: { jsonrpc: "2.0", id: 9, method: "tools/call", params: { arguments: {} } },
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
    const answer = await readRpcResponse(response, 9);
    expect(answer.error?.code, JSON.stringify(answer)).toBe(-32602);
    const isRefused = (span: ReadableSpan) => span.kind === SpanKind.SERVER && span.name === "tools/call";
    const server = (await spansOnceEnded(isRefused)).find(isRefused);
    expect(server?.attributes["error.type"]).toBe("-32602");
    expect(server?.attributes["rpc.response.status_code"]).toBe("-32602");
    expect(server?.status.code).toBe(SpanStatusCode.ERROR);
    // No client context: a trace of its own.
    expect(server?.parentSpanContext).toBeUndefined();
  });
});

/** A 2026-07-28 tools/call with the envelope and these extra `_meta` keys. */
function postModernCall(target: TRawTarget, id: number, meta: Record<string, unknown>, headers = {}) {
  return postMcp({
    url: target.url,
    bearer: target.bearer,
    message: {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name: "echo",
        arguments: { text: "modern" },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "tracing-test", version: "1.0.0" },
          ...meta,
        },
      },
    },
    headers: { "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "echo", ...headers },
  });
}

describe("a 2026-07-28 request with the trace context in _meta", () => {
  it("takes _meta's traceparent over the header's, and hands the backend Tumiki's own in _meta", async () => {
    const fromMeta = clientContext();
    const fromHeader = clientContext();
    const response = await postModernCall(
      healthy,
      21,
      { traceparent: traceparentOf(fromMeta), tracestate: "vendor=abc", "com.example/note": "kept" },
      { traceparent: traceparentOf(fromHeader) },
    );
    const answer = await readRpcResponse(response, 21);
    expect(answer.result?.isError).not.toBe(true);

    const spans = await spansOnceEnded(isServerCall);
    const server = spans.find(isServerCall);
    const backendCall = spans.find(isBackendCall);
    expect(server?.spanContext().traceId).toBe(fromMeta.traceId);
    expect(server?.parentSpanContext?.spanId).toBe(fromMeta.spanId);
    expect(server?.attributes["mcp.protocol.version"]).toBe(MODERN);
    // A 2026-07-28 request has no session.
    expect(server?.attributes["mcp.session.id"]).toBeUndefined();
    expect(backendCall?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);

    const received = lastToolCall(recording);
    const expected = `00-${fromMeta.traceId}-${backendCall?.spanContext().spanId}-01`;
    expect(received.meta.traceparent).toBe(expected);
    expect(received.headers.traceparent).toBe(expected);
    // The client's tracestate goes on with the trace; its other _meta keys are not touched.
    expect(received.meta.tracestate).toBe("vendor=abc");
    expect(received.headers.tracestate).toBe("vendor=abc");
    expect(received.meta["com.example/note"]).toBe("kept");
  });

  it("ignores a malformed traceparent: the call succeeds in a new trace", async () => {
    const response = await postModernCall(
      healthy,
      22,
      { traceparent: "00-not-a-trace-context-01", tracestate: 42 },
      { traceparent: "garbage" },
    );
    const answer = await readRpcResponse(response, 22);
    expect(response.status).toBe(200);
    expect(answer.result?.isError).not.toBe(true);

    const spans = await spansOnceEnded(isServerCall);
    const server = spans.find(isServerCall);
    const backendCall = spans.find(isBackendCall);
    expect(server?.parentSpanContext).toBeUndefined();
    expect(server?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(backendCall?.spanContext().traceId).toBe(server?.spanContext().traceId);
    // The malformed value is not passed on: the backend gets Tumiki's context instead.
    const received = lastToolCall(recording);
    expect(received.meta.traceparent).toBe(
      `00-${server?.spanContext().traceId}-${backendCall?.spanContext().spanId}-01`,
    );
  });

  it("passes the context on to a 2026-07-28 backend, which answers as usual", async () => {
    const client = clientContext();
    const response = await postModernCall(modernOnly, 23, { traceparent: traceparentOf(client) });
    const answer = await readRpcResponse(response, 23);
    expect(answer.result?.isError, JSON.stringify(answer)).not.toBe(true);

    const spans = await spansOnceEnded(isServerCall);
    const backendCall = spans.find(isBackendCall);
    expect(backendCall?.spanContext().traceId).toBe(client.traceId);
    const received = modern
      .requests()
      .filter((r) => r.rpcMethod === "tools/call")
      .at(-1);
    const expected = `00-${client.traceId}-${backendCall?.spanContext().spanId}-01`;
    expect(received?.headers.traceparent).toBe(expected);
    const meta = (received?.body as { params: { _meta: Record<string, unknown> } }).params._meta;
    expect(meta.traceparent).toBe(expected);
    // Tumiki's own envelope is there beside it (Tumiki is the backend's client).
    expect(meta["io.modelcontextprotocol/protocolVersion"]).toBe(MODERN);
  });
});
