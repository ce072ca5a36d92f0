import { NO_STORE_HEADERS, oauthErrorResponse } from "@/server/auth/oauth-error-response";
import { auditTokenFailure } from "@/server/auth/tokens/audit-token-failure";
import { authenticateTokenClient } from "@/server/auth/tokens/authenticate-token-client";
import { grantToken } from "@/server/auth/tokens/grant-token";
import { isBasicAuthRequest } from "@/server/auth/tokens/is-basic-auth-request";
import type { AiClient } from "@/server/generated/prisma/client";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// RFC 6749 §3.2 token endpoint: authenticate the client (rate limits included), then its grant. Every
// answer is no-store (§5.1); errors go through the one OAuth serializer.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRouteMetrics("oauth", async (request: Request): Promise<Response> => {
  const origin = getRequestOrigin(request.headers);
  let client: AiClient | undefined;
  let grantType: string | undefined;
  try {
    const authenticated = await authenticateTokenClient({ request, ip: origin.ip });
    client = authenticated.client;
    grantType = authenticated.form.grant_type;
    return Response.json(await grantToken({ client, form: authenticated.form, origin }), {
      headers: NO_STORE_HEADERS,
    });
  } catch (error) {
    auditTokenFailure({ error, client, grantType, origin });
    return oauthErrorResponse(error, { usedBasicAuth: isBasicAuthRequest({ request }) });
  }
});
