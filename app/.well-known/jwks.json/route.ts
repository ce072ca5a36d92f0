import { listPublishedJwks } from "@/server/auth/signing-keys/list-published-jwks";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// RFC 8414 `jwks_uri`: the keys that verify Tumiki's access tokens. Cacheable for five minutes; a
// rotated-out key stays listed for longer than that after its last token could have been signed.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "well_known",
  withRouteErrors(async () => {
    const jwks = await listPublishedJwks();
    return Response.json(jwks, {
      headers: { "Cache-Control": "public, max-age=300" },
    });
  }),
);
