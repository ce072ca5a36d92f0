import { getTumikiClientMetadata } from "@/server/backends/get-tumiki-client-metadata";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// Tumiki's Client ID Metadata Document, fetched by backends' authorization servers (its URL is Tumiki's
// client_id there). Public and the same for everyone, so caches may keep it for an hour.

export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "oauth",
  withRouteErrors(async () =>
    Response.json(getTumikiClientMetadata(), { headers: { "cache-control": "public, max-age=3600" } }),
  ),
);
