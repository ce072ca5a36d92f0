import { withRouteMetrics } from "@/server/observability/with-route-metrics";
import { handleBackendCallback } from "./handle-backend-callback";

// The shared tier-2 redirect URI (CIMD clients); per-issuer ones are [issuerKey]/route.ts.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRouteMetrics("oauth", (request: Request) =>
  handleBackendCallback({ request, callbackIssuerKey: null }),
);
