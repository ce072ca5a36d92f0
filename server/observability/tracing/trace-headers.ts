import { context, propagation } from "@opentelemetry/api";

// The W3C trace context of the current span as HTTP headers (`traceparent`, `tracestate`), for a request
// Tumiki makes to a backend: inside a backend request's CLIENT span it names that span. Empty when no
// propagator is registered or no span is active.

export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}
