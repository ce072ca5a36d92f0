import { ZAuthorizationQuery } from "../auth/authorize/authorization-request-schema";
import { ACCESS_TOKEN_TTL_SECONDS } from "../auth/token-lifetimes";
import { jsonSchemaOf } from "./json-schema-of";
import { jsonContent, oauthErrorResponse, ref, type TOpenApiObject } from "./openapi-fragments";

// The authorization server's endpoints (tier 1): registration, authorization, token, revocation, and
// Tumiki's own client metadata document (which backends' authorization servers fetch).

const INSTANCE_ID = "3f2a9c4e-8b1d-4c6a-9e2f-7a5b1c3d4e6f";
const DOTS = "…";

const rateLimited = oauthErrorResponse(
  "Too many requests from this address or for this client. Retry after `Retry-After` seconds.",
  { temporarily_unavailable: "Too many requests. Retry after the time in Retry-After." },
  {
    "Retry-After": ref("headers", "RetryAfter"),
    "RateLimit-Limit": ref("headers", "RateLimitLimit"),
    "RateLimit-Remaining": ref("headers", "RateLimitRemaining"),
    "RateLimit-Reset": ref("headers", "RateLimitReset"),
  },
);
const serverError = oauthErrorResponse("Unexpected error; nothing internal is revealed.", {
  server_error: "Something went wrong on our side. Try again later.",
});
const unavailable = oauthErrorResponse(
  "A dependency (database, Redis) is unavailable.",
  { temporarily_unavailable: "A service Tumiki depends on is unavailable. Try again shortly." },
  { "Retry-After": ref("headers", "RetryAfter") },
);
const basicAuthenticationFailed = oauthErrorResponse(
  "Client authentication failed and the client used HTTP Basic.",
  { invalid_client: "Client authentication failed." },
  { "WWW-Authenticate": { schema: { type: "string" }, example: 'Basic realm="tumiki"' } },
);

const clientAuthentication =
  "Client authentication (RFC 6749 §2.3) by the method the client registered: `none` (a public client sends " +
  "`client_id` in the body), `client_secret_basic` (HTTP Basic, form-url-encoded id and secret) or " +
  "`client_secret_post` (`client_id` and `client_secret` in the body). One method per request.";

const formBody = (schemaName: string, examples: Record<string, TOpenApiObject>) => ({
  required: true,
  content: {
    "application/x-www-form-urlencoded": {
      schema: { allOf: [ref("schemas", schemaName), ref("schemas", "ClientAuthenticationForm")] },
      examples,
    },
  },
});

const tokenSecurity = [{}, { clientSecretBasic: [] }];

export function buildOAuthPaths({ serverUrl }: { serverUrl: string }): Record<string, TOpenApiObject> {
  const resource = `${serverUrl}/mcp/${INSTANCE_ID}`;
  const authorizationQuery = jsonSchemaOf(ZAuthorizationQuery, "input") as {
    properties: Record<string, TOpenApiObject>;
  };
  const parameterDescriptions: Record<string, string> = {
    client_id:
      "The client's id: a registered id (DCR, machine-to-machine) or the https URL of its Client ID Metadata Document.",
    redirect_uri: "Exactly one of the client's registered redirect URIs.",
    response_type: "Must be `code`.",
    code_challenge: "PKCE: BASE64URL(SHA-256(code_verifier)), 43 characters.",
    code_challenge_method: "Must be `S256`.",
    scope:
      "Space-separated `mcp:access:*` (every server), `mcp:access:<server-slug>` (one server) or " +
      "`mcp:access:<server-slug>:<tool>` (one tool of one server, by the server's own tool name). Absent: every " +
      "server of the instance.",
    state: "Opaque value returned unchanged to the client.",
    resource: `RFC 8707: the instance URL the token is for, e.g. \`${resource}\`.`,
  };

  return {
    "/oauth/register": {
      post: {
        tags: ["OAuth"],
        operationId: "registerClient",
        summary: "Dynamic Client Registration (RFC 7591)",
        description:
          "Registers an MCP client that has no Client ID Metadata Document (MCP prefers those; DCR is kept for " +
          "clients that only speak it). Unauthenticated and rate limited per address. A confidential client's " +
          "secret is returned once and stored only as a hash.",
        requestBody: {
          required: true,
          content: jsonContent(ref("schemas", "ClientRegistrationRequest"), {
            client_name: "Example MCP client",
            redirect_uris: ["http://127.0.0.1:33418/callback"],
            token_endpoint_auth_method: "none",
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
          }),
        },
        responses: {
          "201": {
            description: "Registered.",
            headers: { "Cache-Control": ref("headers", "NoStore") },
            content: jsonContent(ref("schemas", "ClientRegistrationResponse"), {
              client_name: "Example MCP client",
              redirect_uris: ["http://127.0.0.1:33418/callback"],
              token_endpoint_auth_method: "none",
              grant_types: ["authorization_code", "refresh_token"],
              response_types: ["code"],
              application_type: "native",
              client_id: "Yp3f1k2b0c9d8e7f6a5b4c3d2e1f0a9b",
              client_id_issued_at: 1796688000,
            }),
          },
          "400": oauthErrorResponse("The metadata is refused.", {
            invalid_client_metadata: "The client metadata is not valid: grant_types: Invalid option.",
            invalid_redirect_uri: "The client metadata is not valid: redirect_uris: Too small.",
          }),
          "429": rateLimited,
          "500": serverError,
          "503": unavailable,
        },
      },
    },
    "/oauth/authorize": {
      get: {
        tags: ["OAuth"],
        operationId: "authorize",
        summary: "Authorization endpoint (authorization code + PKCE S256)",
        description:
          "Opened in the user's browser. A signed-out user is sent to sign in first; a remembered consent is " +
          "granted at once; otherwise the consent page follows. The client gets `code`, `state` and `iss` " +
          "(RFC 9207) at its redirect URI, or `error` there once the client and redirect URI are trusted. An " +
          "untrusted client or redirect URI gets an error page, never a redirect. Each parameter at most once.",
        parameters: Object.entries(authorizationQuery.properties).map(([name, schema]) => ({
          name,
          in: "query",
          required: ["client_id", "redirect_uri", "response_type", "code_challenge", "resource"].includes(
            name,
          ),
          description: parameterDescriptions[name],
          schema,
        })),
        responses: {
          "303": {
            description:
              "To the client's redirect URI (`?code=…&state=…&iss=…`, or `?error=…&error_description=…`), to the " +
              "consent page, or to sign-in.",
            headers: {
              Location: {
                schema: { type: "string" },
                example: `http://127.0.0.1:33418/callback?code=${DOTS}&state=xyz&iss=${encodeURIComponent(serverUrl)}`,
              },
            },
          },
          "400": {
            description: "An error page: the client or its redirect URI cannot be trusted (no redirect).",
            content: { "text/html": { schema: { type: "string" } } },
          },
          "429": {
            description: "An error page: too many new client metadata documents fetched for this user.",
            content: { "text/html": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/oauth/token": {
      post: {
        tags: ["OAuth"],
        operationId: "token",
        summary: "Token endpoint",
        description:
          "Grants: `authorization_code` (with `code_verifier`, `redirect_uri` and `resource`), `refresh_token` " +
          "(rotating: every refresh returns a new refresh token; presenting an old one revokes the whole family), " +
          "and `client_credentials` (machine-to-machine clients created on the AI clients page). Access tokens " +
          `are ES256 JWTs (\`typ: at+jwt\`, \`aud\` = the instance URL) valid ${ACCESS_TOKEN_TTL_SECONDS / 60} minutes. ` +
          clientAuthentication,
        security: tokenSecurity,
        requestBody: formBody("TokenRequest", {
          authorization_code: {
            value: {
              grant_type: "authorization_code",
              code: "c_3Xy…",
              redirect_uri: "http://127.0.0.1:33418/callback",
              code_verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
              resource,
              client_id: "Yp3f1k2b0c9d8e7f6a5b4c3d2e1f0a9b",
            },
          },
          refresh_token: {
            value: {
              grant_type: "refresh_token",
              refresh_token: "rt_…",
              client_id: "Yp3f1k2b0c9d8e7f6a5b4c3d2e1f0a9b",
            },
          },
          client_credentials: {
            value: { grant_type: "client_credentials", scope: "mcp:access:*", resource },
          },
        }),
        responses: {
          "200": {
            description: "Tokens.",
            headers: { "Cache-Control": ref("headers", "NoStore") },
            content: jsonContent(ref("schemas", "TokenResponse"), {
              access_token: "eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9.…",
              token_type: "Bearer",
              expires_in: ACCESS_TOKEN_TTL_SECONDS,
              refresh_token: "rt_…",
              scope: "mcp:access:*",
            }),
          },
          "400": oauthErrorResponse("The request or grant is refused.", {
            invalid_request: "The body must be application/x-www-form-urlencoded.",
            invalid_client: "Client authentication failed.",
            invalid_grant: "The authorization code has expired.",
            unauthorized_client: "This client is not registered for the refresh_token grant.",
            unsupported_grant_type: "This grant_type is not supported.",
            invalid_scope: "The requested scope exceeds the original grant.",
            invalid_target: "resource does not match the grant.",
          }),
          "401": basicAuthenticationFailed,
          "429": rateLimited,
          "500": serverError,
          "503": unavailable,
        },
      },
    },
    "/oauth/revoke": {
      post: {
        tags: ["OAuth"],
        operationId: "revoke",
        summary: "Token revocation (RFC 7009)",
        description:
          "Revokes a refresh token (and its whole family) or an access token of the authenticated client. A " +
          `valid request answers 200 with an empty body whether or not the token existed. ${clientAuthentication}`,
        security: tokenSecurity,
        requestBody: formBody("RevokeRequest", {
          refresh_token: {
            value: {
              token: "rt_…",
              token_type_hint: "refresh_token",
              client_id: "Yp3f1k2b0c9d8e7f6a5b4c3d2e1f0a9b",
            },
          },
        }),
        responses: {
          "200": {
            description: "Revoked, or there was nothing to revoke.",
            headers: { "Cache-Control": ref("headers", "NoStore") },
          },
          "400": oauthErrorResponse("The request is refused.", {
            invalid_request: "token is required.",
            invalid_client: "Client authentication failed.",
          }),
          "401": basicAuthenticationFailed,
          "429": rateLimited,
          "500": serverError,
          "503": unavailable,
        },
      },
    },
    "/oauth/client-metadata.json": {
      get: {
        tags: ["Discovery"],
        operationId: "getTumikiClientMetadata",
        summary: "Tumiki's own Client ID Metadata Document (tier 2)",
        description:
          "The client metadata backends' authorization servers fetch when Tumiki uses this URL as its `client_id`.",
        responses: {
          "200": {
            description: "The document (cacheable for an hour).",
            content: jsonContent(ref("schemas", "TumikiClientMetadata"), {
              client_id: `${serverUrl}/oauth/client-metadata.json`,
              client_name: "Tumiki",
              client_uri: serverUrl,
              redirect_uris: [`${serverUrl}/oauth/callback`],
              grant_types: ["authorization_code", "refresh_token"],
              response_types: ["code"],
              token_endpoint_auth_method: "none",
              application_type: "web",
            }),
          },
        },
      },
    },
  };
}
