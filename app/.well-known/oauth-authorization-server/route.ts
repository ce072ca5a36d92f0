import { getAuthorizationServerMetadata } from "@/server/auth/metadata/get-authorization-server-metadata";
import {
  METADATA_PREFLIGHT_HEADERS,
  METADATA_RESPONSE_HEADERS,
} from "@/server/auth/metadata/metadata-response-headers";
import { withRouteErrors } from "@/server/http/with-route-errors";

export const dynamic = "force-dynamic";

export const GET = withRouteErrors(async () =>
  Response.json(getAuthorizationServerMetadata(), { headers: METADATA_RESPONSE_HEADERS }),
);

export function OPTIONS(): Response {
  return new Response(null, { status: 204, headers: METADATA_PREFLIGHT_HEADERS });
}
