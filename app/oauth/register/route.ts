import { readRegistrationMetadata } from "@/server/auth/clients/read-registration-metadata";
import { registerDynamicClient } from "@/server/auth/clients/register-dynamic-client";
import { NO_STORE_HEADERS, oauthErrorResponse } from "@/server/auth/oauth-error-response";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";
import { assertRateLimit } from "@/server/rate-limit/assert-rate-limit";

// RFC 7591 Dynamic Client Registration, for clients without a Client ID Metadata Document (deprecated
// by MCP 2026-07-28 in their favour, kept for the clients that only speak it). Unauthenticated, so the
// per-address limit runs before anything else is read or written.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRouteMetrics("oauth", async (request: Request): Promise<Response> => {
  try {
    const origin = getRequestOrigin(request.headers);
    await assertRateLimit("oauthRegister", origin.ip);
    const registration = await registerDynamicClient({
      metadata: await readRegistrationMetadata({ request }),
      origin,
    });
    return Response.json(registration, {
      status: 201,
      headers: NO_STORE_HEADERS,
    });
  } catch (error) {
    return oauthErrorResponse(error);
  }
});
