import { getProtectedResourceMetadata } from "@/server/auth/metadata/get-protected-resource-metadata";
import {
  METADATA_PREFLIGHT_HEADERS,
  METADATA_RESPONSE_HEADERS,
} from "@/server/auth/metadata/metadata-response-headers";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

export const dynamic = "force-dynamic";

type TContext = { params: Promise<{ instanceId: string }> };

export const GET = withRouteMetrics(
  "well_known",
  withRouteErrors(async (_request: Request, { params }: TContext) => {
    const { instanceId } = await params;
    const metadata = await getProtectedResourceMetadata({ instanceId });
    if (!metadata) {
      return Response.json(
        { error: { code: "NOT_FOUND", message: "No MCP instance has this URL." } },
        { status: 404, headers: { "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" } },
      );
    }
    return Response.json(metadata, { headers: METADATA_RESPONSE_HEADERS });
  }),
);

export const OPTIONS = withRouteMetrics(
  "well_known",
  (_request: Request) => new Response(null, { status: 204, headers: METADATA_PREFLIGHT_HEADERS }),
);
