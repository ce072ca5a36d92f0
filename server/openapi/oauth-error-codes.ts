import type { OAuthErrorCode } from "../auth/oauth-errors";

// The `error` values of Tumiki's OAuth answers (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2, RFC 8707),
// as the API reference lists them. Keyed by the code's own union, so a new OAuthError class cannot be
// added without its entry here; `server_error` is the serializer's fixed answer to anything unexpected.
// The statuses are checked against the error classes by build-openapi-document.test.ts.

export type TOAuthErrorCodeEntry = { status: number; meaning: string };

export const OAUTH_ERROR_CODES: Record<OAuthErrorCode | "server_error", TOAuthErrorCodeEntry> = {
  invalid_request: {
    status: 400,
    meaning:
      "The request is malformed: wrong content type, a parameter sent twice, a missing or over-long parameter, two client authentication methods.",
  },
  invalid_client: {
    status: 401,
    meaning:
      "Client authentication failed (unknown client_id, wrong secret, another method than registered). 401 with `WWW-Authenticate: Basic` when the client used Basic, else 400.",
  },
  invalid_grant: {
    status: 400,
    meaning:
      "The authorization code or refresh token is unknown, expired, used, revoked, or bound to another client, redirect URI or PKCE verifier.",
  },
  unauthorized_client: {
    status: 400,
    meaning: "The client is not registered for this grant type.",
  },
  unsupported_grant_type: {
    status: 400,
    meaning: "grant_type is not authorization_code, refresh_token or client_credentials.",
  },
  unsupported_response_type: {
    status: 400,
    meaning: "response_type is not `code` (sent back to the client's redirect URI).",
  },
  invalid_scope: {
    status: 400,
    meaning: "A scope is unknown for the instance, or a refresh asks for more than was granted.",
  },
  invalid_target: {
    status: 400,
    meaning:
      "RFC 8707: `resource` is missing, not one of the user's instances, or not the instance the grant is bound to.",
  },
  access_denied: {
    status: 403,
    meaning: "The user denied consent (sent back to the client's redirect URI).",
  },
  invalid_redirect_uri: {
    status: 400,
    meaning: "Registration: a redirect URI is not an allowed https, loopback or private-use scheme URI.",
  },
  invalid_client_metadata: {
    status: 400,
    meaning:
      "Registration: the metadata is not JSON, too large, or a field is invalid (the description names it).",
  },
  invalid_token: {
    status: 401,
    meaning:
      "/mcp: the bearer token or API key is missing, malformed, expired, revoked, or for another instance. Comes with `WWW-Authenticate: Bearer … resource_metadata=…`.",
  },
  insufficient_scope: {
    status: 403,
    meaning:
      "/mcp: the token is valid but lacks the scope of the server whose tool, prompt or resource was asked for (for a tool: or the tool's own scope, `mcp:access:<server-slug>:<tool>`, which the challenge names when the token holds tool scopes of that server). The challenge names every scope needed.",
  },
  temporarily_unavailable: {
    status: 503,
    meaning:
      "A dependency (Redis, the database) is down: retry after `Retry-After`. Also the body of a 429 from a rate limit.",
  },
  server_error: {
    status: 500,
    meaning: "An unexpected error on Tumiki's side; the details are in Tumiki's log, never in the answer.",
  },
};
