import { z } from "zod";
import { TOKEN_ENDPOINT_AUTH_METHODS } from "../clients/client-metadata-schema";
import { getAppUrl, getIssuer } from "../resource-urls";
import { ALL_SERVERS_SCOPE } from "../scopes";
import { SUPPORTED_GRANT_TYPES } from "../tokens/token-request-schemas";

// RFC 8414 authorization server metadata, served at /.well-known/oauth-authorization-server and at the
// OpenID configuration path (some MCP clients try that one first). Everything derives from APP_URL, never
// from the request, so a forged Host header cannot point a client at another token endpoint.

export const ZAuthorizationServerMetadata = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  registration_endpoint: z.string(),
  revocation_endpoint: z.string(),
  jwks_uri: z.string(),
  response_types_supported: z.array(z.string()),
  response_modes_supported: z.array(z.string()),
  grant_types_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  revocation_endpoint_auth_methods_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()),
  scopes_supported: z.array(z.string()),
  client_id_metadata_document_supported: z.boolean(),
  authorization_response_iss_parameter_supported: z.boolean(),
  service_documentation: z.string(),
});

export type TAuthorizationServerMetadata = z.infer<typeof ZAuthorizationServerMetadata>;

export function getAuthorizationServerMetadata(): TAuthorizationServerMetadata {
  return {
    issuer: getIssuer(),
    authorization_endpoint: getAppUrl("/oauth/authorize"),
    token_endpoint: getAppUrl("/oauth/token"),
    registration_endpoint: getAppUrl("/oauth/register"),
    revocation_endpoint: getAppUrl("/oauth/revoke"),
    jwks_uri: getAppUrl("/.well-known/jwks.json"),
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    // PKCE with S256 only: `plain` would hand the verifier to anyone who sees the authorization request.
    code_challenge_methods_supported: ["S256"],
    // Per-server scopes differ per instance; each instance's protected-resource metadata lists its own.
    scopes_supported: [ALL_SERVERS_SCOPE],
    // Client ID Metadata Documents are the registration MCP prefers; DCR (registration_endpoint above)
    // stays for clients that cannot present one, which MCP 2026-07-28 keeps as a deprecated fallback.
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    service_documentation: getAppUrl("/"),
  };
}
