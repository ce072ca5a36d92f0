import type { AiClient } from "../../generated/prisma/client";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { InvalidRequestError, UnsupportedGrantTypeError } from "../oauth-errors";
import { exchangeAuthorizationCode } from "./exchange-authorization-code";
import { grantClientCredentials } from "./grant-client-credentials";
import { rotateRefreshToken } from "./rotate-refresh-token";
import { SUPPORTED_GRANT_TYPES, type TTokenResponse, ZTokenRequest } from "./token-request-schemas";

// The grant of a token request from an authenticated client: the grant type is checked before its
// parameters, so an unknown grant is `unsupported_grant_type` (RFC 6749 §5.2), not a parameter error.

type TGrantTokenOptions = {
  client: AiClient;
  form: Record<string, string>;
  origin: TRequestOrigin;
};

export async function grantToken({ client, form, origin }: TGrantTokenOptions): Promise<TTokenResponse> {
  if (!form.grant_type) {
    throw new InvalidRequestError("grant_type is required.", { reason: "grant_type_missing" });
  }
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
  const request = parsed.data;
  switch (request.grant_type) {
    case "authorization_code":
      return exchangeAuthorizationCode({
        client,
        code: request.code,
        redirectUri: request.redirect_uri,
        codeVerifier: request.code_verifier,
        resource: request.resource,
        origin,
      });
    case "refresh_token":
      return rotateRefreshToken({
        client,
        refreshToken: request.refresh_token,
        scope: request.scope,
        resource: request.resource,
        origin,
      });
    case "client_credentials":
      return grantClientCredentials({ client, scope: request.scope, resource: request.resource, origin });
  }
}
