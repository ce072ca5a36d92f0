import { NO_STORE_HEADERS, oauthErrorResponse } from "@/server/auth/oauth-error-response";
import { InvalidRequestError } from "@/server/auth/oauth-errors";
import { authenticateTokenClient } from "@/server/auth/tokens/authenticate-token-client";
import { isBasicAuthRequest } from "@/server/auth/tokens/is-basic-auth-request";
import { revokeToken } from "@/server/auth/tokens/revoke-token";
import { ZRevokeRequest } from "@/server/auth/tokens/token-request-schemas";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// RFC 7009 revocation endpoint: the client authenticates as at /oauth/token (and shares its rate
// limits); a valid request always answers 200 with an empty body, whether or not the token existed,
// however malformed or long it is (§2.2).

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRouteMetrics("oauth", async (request: Request): Promise<Response> => {
  const origin = getRequestOrigin(request.headers);
  try {
    const { client, form } = await authenticateTokenClient({ request, ip: origin.ip });
    const parsed = ZRevokeRequest.safeParse(form);
    if (!parsed.success) throw new InvalidRequestError("token is required.", { reason: "token_missing" });
    await revokeToken({
      client,
      token: parsed.data.token,
      tokenTypeHint: parsed.data.token_type_hint,
      origin,
    });
    return new Response(null, { status: 200, headers: NO_STORE_HEADERS });
  } catch (error) {
    return oauthErrorResponse(error, { usedBasicAuth: isBasicAuthRequest({ request }) });
  }
});
