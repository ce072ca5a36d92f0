import { jsonContent, ref, type TOpenApiObject } from "./openapi-fragments";

// The public discovery documents: RFC 8414 authorization server metadata (also at the OpenID
// configuration path, which some MCP clients try first), RFC 9728 protected-resource metadata per
// instance, and the JWKS that verifies Tumiki's access tokens. All readable cross-origin.

const INSTANCE_ID = "3f2a9c4e-8b1d-4c6a-9e2f-7a5b1c3d4e6f";

const publicHeaders = {
  "Access-Control-Allow-Origin": { schema: { type: "string", const: "*" } },
  "Cache-Control": { schema: { type: "string" }, example: "public, max-age=300" },
};

const preflight = (operationId: string) => ({
  tags: ["Discovery"],
  operationId,
  summary: "CORS preflight",
  responses: { "204": { description: "Any origin may read the document." } },
});

export function buildDiscoveryPaths({ serverUrl }: { serverUrl: string }): Record<string, TOpenApiObject> {
  const asMetadata = {
    issuer: serverUrl,
    authorization_endpoint: `${serverUrl}/oauth/authorize`,
    token_endpoint: `${serverUrl}/oauth/token`,
    registration_endpoint: `${serverUrl}/oauth/register`,
    revocation_endpoint: `${serverUrl}/oauth/revoke`,
    jwks_uri: `${serverUrl}/.well-known/jwks.json`,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
    code_challenge_methods_supported: ["S256"],
    scopes_supported: ["mcp:access:*"],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${serverUrl}/`,
  };
  const asMetadataOperation = (operationId: string, summary: string) => ({
    tags: ["Discovery"],
    operationId,
    summary,
    responses: {
      "200": {
        description: "The metadata, built from APP_URL (never from the request's Host).",
        headers: publicHeaders,
        content: jsonContent(ref("schemas", "AuthorizationServerMetadata"), asMetadata),
      },
    },
  });

  return {
    "/.well-known/oauth-authorization-server": {
      get: asMetadataOperation("getAuthorizationServerMetadata", "Authorization server metadata (RFC 8414)"),
      options: preflight("preflightAuthorizationServerMetadata"),
    },
    "/.well-known/openid-configuration": {
      get: asMetadataOperation(
        "getOpenIdConfiguration",
        "The same metadata at the OpenID discovery path (for clients that try it first)",
      ),
      options: preflight("preflightOpenIdConfiguration"),
    },
    "/.well-known/oauth-protected-resource/mcp/{instanceId}": {
      parameters: [ref("parameters", "InstanceId")],
      get: {
        tags: ["Discovery"],
        operationId: "getProtectedResourceMetadata",
        summary: "Protected-resource metadata of an instance (RFC 9728)",
        description:
          "Named in every 401 of /mcp/{instanceId} (`WWW-Authenticate: Bearer resource_metadata=…`). Lists the " +
          "instance's server-level scopes; never its name or owner. Tool scopes (`mcp:access:<server-slug>:<tool>`) " +
          "of its servers are accepted too but not listed: a server's tools differ per user and change.",
        responses: {
          "200": {
            description: "The metadata.",
            headers: publicHeaders,
            content: jsonContent(ref("schemas", "ProtectedResourceMetadata"), {
              resource: `${serverUrl}/mcp/${INSTANCE_ID}`,
              authorization_servers: [serverUrl],
              scopes_supported: ["mcp:access:*", "mcp:access:linear", "mcp:access:notion"],
              bearer_methods_supported: ["header"],
              resource_name: "Tumiki MCP instance",
              resource_documentation: `${serverUrl}/`,
            }),
          },
          "404": {
            description: "No instance has this id.",
            content: jsonContent(ref("schemas", "AppErrorBody"), {
              error: { code: "NOT_FOUND", message: "No MCP instance has this URL." },
            }),
          },
        },
      },
      options: preflight("preflightProtectedResourceMetadata"),
    },
    "/.well-known/jwks.json": {
      get: {
        tags: ["Discovery"],
        operationId: "getJwks",
        summary: "The public keys of Tumiki's access tokens",
        description:
          "The active ES256 key and retired keys while tokens they signed may still be valid. Cacheable five minutes.",
        responses: {
          "200": {
            description: "A JWK Set.",
            content: jsonContent(ref("schemas", "Jwks"), {
              keys: [{ kty: "EC", crv: "P-256", x: "…", y: "…", kid: "k_2026-12", alg: "ES256", use: "sig" }],
            }),
          },
        },
      },
    },
  };
}
