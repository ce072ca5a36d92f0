import { answerMetricsScrape } from "@/server/observability/answer-metrics-scrape";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// Prometheus scrape endpoint (issue 12): `Authorization: Bearer <METRICS_TOKEN>`; 404 when it is unset.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRouteMetrics("api", (request: Request) => answerMetricsScrape({ request }));
