import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";
import { getOpenApiDocument } from "@/server/openapi/get-openapi-document";

// The OpenAPI 3.1 document of Tumiki's HTTP API (server/openapi/), browsed at /docs/api. Public like the
// discovery documents: it describes the API, not anyone's data, so any origin may read it.

export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "api",
  withRouteErrors(async () =>
    Response.json(getOpenApiDocument(), {
      headers: { "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300" },
    }),
  ),
);
