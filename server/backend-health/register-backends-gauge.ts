import { Gauge } from "prom-client";
import { getLogger } from "../logger";
import { getMetricsRegistry } from "../observability/metrics";

// `tumiki_backends{state}`: servers per health state, read from Redis when Prometheus scrapes (the
// state is shared, so any process answers for all). The counting module is loaded only then: the
// metrics catalogue that registers this gauge is imported everywhere, the database client is not.
// A failed count leaves the gauge empty for that scrape rather than failing the whole scrape.

const NAME = "tumiki_backends";
const STATES = ["healthy", "degraded", "down"] as const;

export function registerBackendsGauge(): Gauge<"state"> {
  const existing = getMetricsRegistry().getSingleMetric(NAME);
  if (existing) return existing as Gauge<"state">;
  return new Gauge({
    name: NAME,
    help: "Backend MCP servers in use, by health state (healthy, degraded, down)",
    labelNames: ["state"],
    registers: [getMetricsRegistry()],
    async collect() {
      this.reset();
      try {
        const { countBackendStates } = await import("./count-backend-states");
        const counts = await countBackendStates();
        for (const state of STATES) this.set({ state }, counts[state]);
      } catch (error) {
        getLogger().warn({ err: error }, "counting backend servers by health failed");
      }
    },
  });
}
