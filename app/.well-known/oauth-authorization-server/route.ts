import { getAuthorizationServerMetadata } from "@/server/auth/metadata/get-authorization-server-metadata";
import {
  METADATA_PREFLIGHT_HEADERS,
  METADATA_RESPONSE_HEADERS,
} from "@/server/auth/metadata/metadata-response-headers";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "well_known",
  withRouteErrors(async () =>
    Response.json(getAuthorizationServerMetadata(), { headers: METADATA_RESPONSE_HEADERS }),
  ),
);

export const OPTIONS = withRouteMetrics(
  "well_known",
  (_request: Request) => new Response(null, { status: 204, headers: METADATA_PREFLIGHT_HEADERS }),
);
