import { withRouteMetrics } from "@/server/observability/with-route-metrics";
import { handleBackendCallback } from "../handle-backend-callback";

// A per-issuer tier-2 redirect URI (getBackendRedirectUri): DCR and pre-registered clients.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "oauth",
  async (request: Request, { params }: { params: Promise<{ issuerKey: string }> }) =>
    handleBackendCallback({ request, callbackIssuerKey: (await params).issuerKey }),
);
