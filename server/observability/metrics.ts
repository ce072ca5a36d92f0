import { type Attributes, metrics as otelMetrics } from "@opentelemetry/api";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

// Every figure Tumiki exports, defined once. Each instrument records twice: into a prom-client registry
// that GET /api/metrics serves in the Prometheus text format (one process's figures: fine self-hosted,
// where Prometheus scrapes each process), and into an OpenTelemetry instrument that is exported over
// OTLP when instrumentation.ts registered a meter provider (Vercel, where a scrape reaches only one
// function instance). Without a provider the OpenTelemetry side is a no-op.
//
// Labels are bounded by construction: route families, MCP method names from a fixed list, server slugs
// (rows an operator or user created, never a URL), outcomes from enums. Never a user id, a client id,
// a tool argument or a URL.

const REGISTRY_KEY = Symbol.for("tumiki.metrics.registry");
type GlobalWithRegistry = typeof globalThis & { [REGISTRY_KEY]?: Registry };

/**
 * One registry per process. Kept on globalThis because Next.js may load this module once per route
 * bundle (and again on every hot reload in development); a second registry would split the figures.
 */
export function getMetricsRegistry(): Registry {
  const holder = globalThis as GlobalWithRegistry;
  holder[REGISTRY_KEY] ??= new Registry();
  return holder[REGISTRY_KEY];
}

type LabelValues<L extends string> = Partial<Record<L, string>>;

function meter() {
  return otelMetrics.getMeter("tumiki");
}

function existing<M>(name: string): M | undefined {
  return getMetricsRegistry().getSingleMetric(name) as M | undefined;
}

/** A counter in both worlds. `name` is the Prometheus name (ending in _total). */
export function defineCounter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  const prom =
    existing<Counter<L>>(name) ??
    new Counter<L>({ name, help, labelNames: [...labelNames], registers: [getMetricsRegistry()] });
  let otel: ReturnType<ReturnType<typeof meter>["createCounter"]> | undefined;
  return {
    inc(labels: LabelValues<L> = {}, value = 1): void {
      prom.inc(labels, value);
      otel ??= meter().createCounter(name.replace(/_total$/, ""), { description: help });
      otel.add(value, labels as Attributes);
    },
  };
}

/** A histogram of seconds in both worlds. */
export function defineHistogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
) {
  const prom =
    existing<Histogram<L>>(name) ??
    new Histogram<L>({ name, help, labelNames: [...labelNames], buckets, registers: [getMetricsRegistry()] });
  let otel: ReturnType<ReturnType<typeof meter>["createHistogram"]> | undefined;
  return {
    observe(labels: LabelValues<L>, seconds: number): void {
      prom.observe(labels, seconds);
      otel ??= meter().createHistogram(name, {
        description: help,
        unit: "s",
        advice: { explicitBucketBoundaries: buckets },
      });
      otel.record(seconds, labels as Attributes);
    },
  };
}

/** A gauge that goes up and down with what a process holds (open streams): an UpDownCounter in OTel. */
export function defineUpDownGauge<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  const prom =
    existing<Gauge<L>>(name) ??
    new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [getMetricsRegistry()] });
  let otel: ReturnType<ReturnType<typeof meter>["createUpDownCounter"]> | undefined;
  const add = (labels: LabelValues<L>, value: number) => {
    prom.inc(labels, value);
    otel ??= meter().createUpDownCounter(name, { description: help });
    otel.add(value, labels as Attributes);
  };
  return {
    inc: (labels: LabelValues<L> = {}, value = 1) => add(labels, value),
    dec: (labels: LabelValues<L> = {}, value = 1) => add(labels, -value),
  };
}
