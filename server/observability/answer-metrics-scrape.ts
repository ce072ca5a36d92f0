import { collectDefaultMetrics } from "prom-client";
import { getEnv } from "../env";
import { isPresentedBearerSecret } from "../http/is-presented-bearer-secret";
import { getMetricsRegistry } from "./metrics";
import "./tumiki-metrics";

// GET /api/metrics: the process's figures in the Prometheus text format, for a scraper that presents
// METRICS_TOKEN as a bearer token. Without METRICS_TOKEN the endpoint does not exist (404, as any unknown
// URL), so a deployment never publishes its figures by accident.

const DEFAULT_METRICS_KEY = Symbol.for("tumiki.metrics.defaultMetrics");
type GlobalWithFlag = typeof globalThis & { [DEFAULT_METRICS_KEY]?: true };

/** Process figures (CPU, memory, event loop lag, handles), once per process into the same registry. */
function collectProcessMetricsOnce(): void {
  const holder = globalThis as GlobalWithFlag;
  if (holder[DEFAULT_METRICS_KEY]) return;
  holder[DEFAULT_METRICS_KEY] = true;
  collectDefaultMetrics({ register: getMetricsRegistry() });
}

export async function answerMetricsScrape({ request }: { request: Request }): Promise<Response> {
  const expected = getEnv().METRICS_TOKEN;
  if (!expected) {
    return new Response("Not Found", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  if (!isPresentedBearerSecret({ authorization: request.headers.get("authorization"), secret: expected })) {
    return new Response("Unauthorized", {
      status: 401,
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "no-store",
        "WWW-Authenticate": 'Bearer realm="tumiki-metrics"',
      },
    });
  }
  collectProcessMetricsOnce();
  const registry = getMetricsRegistry();
  return new Response(await registry.metrics(), {
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
