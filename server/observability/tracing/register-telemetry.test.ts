import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { context, metrics, propagation, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "../../env";
import { defineCounter } from "../metrics";
import { registerTelemetry } from "./register-telemetry";

// registerTelemetry (instrumentation.ts) on its own: nothing at all without OTEL_EXPORTER_OTLP_ENDPOINT,
// and with it spans and metrics exported over OTLP/HTTP to a real (local) collector, which being down
// later breaks nothing. The tests run in this order: the OpenTelemetry globals can be set once per process.

type TFlushable = { forceFlush(): Promise<void> };

const received: { path: string; contentType: string; bytes: number }[] = [];
const collector = createServer((req: IncomingMessage, res) => {
  let bytes = 0;
  req.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on("end", () => {
    received.push({ path: req.url ?? "", contentType: req.headers["content-type"] ?? "", bytes });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});

const sampled = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

function setEndpoint(value: string | undefined) {
  if (value === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = value;
  resetEnvCache();
}

afterAll(async () => {
  setEndpoint(undefined);
  collector.closeAllConnections();
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

describe("registerTelemetry", () => {
  it("registers nothing without OTEL_EXPORTER_OTLP_ENDPOINT: spans, propagation and metrics stay no-ops", () => {
    setEndpoint(undefined);
    expect(registerTelemetry()).toBe(false);

    const span = trace.getTracer("test").startSpan("nothing");
    expect(span.isRecording()).toBe(false);
    span.end();
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpanContext(ROOT_CONTEXT, sampled), carrier);
    expect(carrier).toEqual({});
    expect("forceFlush" in metrics.getMeterProvider()).toBe(false);
  });

  it("with the endpoint, exports spans and metrics over OTLP/HTTP, and survives a collector that is down", async () => {
    const port = await new Promise<number>((resolve) => {
      collector.listen(0, "127.0.0.1", () => resolve((collector.address() as AddressInfo).port));
    });
    setEndpoint(`http://127.0.0.1:${port}`);
    expect(registerTelemetry()).toBe(true);

    // W3C trace context is what goes to backends.
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpanContext(context.active(), sampled), carrier);
    expect(carrier.traceparent).toBe(`00-${sampled.traceId}-${sampled.spanId}-01`);

    const span = trace.getTracer("test").startSpan("exported");
    expect(span.isRecording()).toBe(true);
    span.end();
    defineCounter("tumiki_tracing_test_total", "a counter of this test", ["kind"]).inc({ kind: "a" });

    const tracerProvider = (
      trace.getTracerProvider() as unknown as { getDelegate(): TFlushable }
    ).getDelegate();
    const meterProvider = metrics.getMeterProvider() as unknown as TFlushable;
    await tracerProvider.forceFlush();
    await meterProvider.forceFlush();
    expect(received.map((r) => r.path).sort()).toEqual(["/v1/metrics", "/v1/traces"]);
    expect(received.every((r) => r.bytes > 0)).toBe(true);

    // The collector goes away: exports fail quietly, nothing throws.
    collector.closeAllConnections();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
    const later = trace.getTracer("test").startSpan("lost");
    later.end();
    await expect(tracerProvider.forceFlush()).resolves.toBeUndefined();
  });
});
