import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { registerOTel } from "@vercel/otel";
import { getEnv } from "../../env";
import { getLogger } from "../../logger";

// OpenTelemetry for the Node.js runtime, registered once at start-up (instrumentation.ts) when
// OTEL_EXPORTER_OTLP_ENDPOINT is set; without it nothing is registered and every span and instrument
// stays the API's no-op (near-zero cost on the proxy's hot path).
//
// @vercel/otel's registerOTel sets up the tracer provider with an AsyncLocalStorage context manager and
// exports spans over OTLP/HTTP through a batch processor configured from the standard OTEL_EXPORTER_OTLP_*
// variables (endpoint + /v1/traces, headers, protocol); on Vercel it also flushes them before the
// function is frozen. Metrics (server/observability/metrics.ts records every figure into OpenTelemetry
// instruments too) are read periodically and exported over OTLP/HTTP to endpoint + /v1/metrics.
// Propagation is W3C trace context only: a client's baggage is not forwarded to backends.
//
// A collector that is down costs failed exports (dropped spans), never start-up or a request.

export function registerTelemetry(): boolean {
  const env = getEnv();
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  try {
    registerOTel({
      serviceName: env.OTEL_SERVICE_NAME,
      propagators: ["tracecontext"],
      metricReaders: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })],
    });
    return true;
  } catch (error) {
    getLogger().warn({ err: error }, "OpenTelemetry could not be set up: running without traces");
    return false;
  }
}
