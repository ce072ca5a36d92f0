import { handlers } from "@/server/next-auth";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

export const GET = withRouteMetrics("auth", handlers.GET);
export const POST = withRouteMetrics("auth", handlers.POST);
