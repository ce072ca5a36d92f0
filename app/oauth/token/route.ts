import { writeAuditEvent } from "@/server/audit/write-audit-event";
import { oauthErrorResponse } from "@/server/auth/oauth-error-response";
import { InvalidRequestError, OAuthError, UnsupportedGrantTypeError } from "@/server/auth/oauth-errors";
import { authenticateTokenClient } from "@/server/auth/tokens/authenticate-token-client";
import { exchangeAuthorizationCode } from "@/server/auth/tokens/exchange-authorization-code";
import { grantClientCredentials } from "@/server/auth/tokens/grant-client-credentials";
import { rotateRefreshToken } from "@/server/auth/tokens/rotate-refresh-token";
import {
  SUPPORTED_GRANT_TYPES,
  type TTokenResponse,
  ZTokenRequest,
} from "@/server/auth/tokens/token-request-schemas";
import type { AiClient } from "@/server/generated/prisma/client";
import { getRequestOrigin } from "@/server/http/get-request-origin";

// RFC 6749 §3.2 token endpoint. Thin: read the form and authenticate the client (rate limits included),
// validate the grant's parameters, hand over to the grant. Every answer is no-store (§5.1); errors go
// through the one OAuth serializer and are audited with their reason code, never with a credential.
// Only what got past the address check is audited: an OAuth refusal (each one before authentication
// counts against the address, each one after against the client's budget) or a fault while serving an
// authenticated client. A rate-limit or outage refusal is not, so an address over its limit, or a flood
// during a Redis outage, cannot write audit rows.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

export async function POST(request: Request): Promise<Response> {
  const origin = getRequestOrigin(request.headers);
  const usedBasicAuth = /^basic /i.test(request.headers.get("authorization") ?? "");
  let client: AiClient | undefined;
  let grantType: string | undefined;
  try {
    const authenticated = await authenticateTokenClient({ request, ip: origin.ip });
    client = authenticated.client;
    const { form } = authenticated;
    grantType = form.grant_type?.slice(0, 40);
    if (!form.grant_type)
      throw new InvalidRequestError("grant_type is required.", { reason: "grant_type_missing" });
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(form.grant_type)) {
      throw new UnsupportedGrantTypeError("This grant_type is not supported.", {
        reason: "grant_type_unsupported",
      });
    }
    const parsed = ZTokenRequest.safeParse(form);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join(".") || "the request";
      throw new InvalidRequestError(`Invalid or missing parameter: ${field}.`, {
        reason: "invalid_parameters",
      });
    }
    const body = parsed.data;
    let response: TTokenResponse;
    switch (body.grant_type) {
      case "authorization_code":
        response = await exchangeAuthorizationCode({
          client,
          code: body.code,
          redirectUri: body.redirect_uri,
          codeVerifier: body.code_verifier,
          resource: body.resource,
          origin,
        });
        break;
      case "refresh_token":
        response = await rotateRefreshToken({
          client,
          refreshToken: body.refresh_token,
          scope: body.scope,
          resource: body.resource,
          origin,
        });
        break;
      case "client_credentials":
        response = await grantClientCredentials({
          client,
          scope: body.scope,
          resource: body.resource,
          origin,
        });
        break;
    }
    return Response.json(response, { headers: NO_STORE });
  } catch (error) {
    if (error instanceof OAuthError || client) {
      writeAuditEvent({
        eventType: "oauth.token_issued",
        outcome: "FAILURE",
        clientId: client?.id,
        ...origin,
        reason: error instanceof OAuthError ? (error.reason ?? error.error) : "server_error",
        detail: grantType ? { grantType } : undefined,
      });
    }
    return oauthErrorResponse(error, { usedBasicAuth });
  }
}
