import { checkHealth } from "@/server/health/check-health";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "api",
  withRouteErrors(async () => {
    const health = await checkHealth();
    return Response.json(health, {
      status: health.status === "ok" ? 200 : 503,
      headers: { "Cache-Control": "no-store" },
    });
  }),
);
