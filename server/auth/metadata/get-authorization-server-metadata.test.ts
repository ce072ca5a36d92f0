import { describe, expect, it } from "vitest";
import { getAuthorizationServerMetadata } from "./get-authorization-server-metadata";

describe("getAuthorizationServerMetadata", () => {
  it("is exactly Tumiki's RFC 8414 document, built from APP_URL", () => {
    expect(getAuthorizationServerMetadata()).toEqual({
      issuer: "http://localhost:3000",
      authorization_endpoint: "http://localhost:3000/oauth/authorize",
      token_endpoint: "http://localhost:3000/oauth/token",
      registration_endpoint: "http://localhost:3000/oauth/register",
      revocation_endpoint: "http://localhost:3000/oauth/revoke",
      jwks_uri: "http://localhost:3000/.well-known/jwks.json",
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
      token_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
      revocation_endpoint_auth_methods_supported: ["none", "client_secret_basic", "client_secret_post"],
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["mcp:access:*"],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
      service_documentation: "http://localhost:3000/",
    });
  });

  it("offers no offline_access: refresh tokens follow the client's registered grant types, not a scope", () => {
    // MCP 2026-07-28: clients add offline_access only when scopes_supported lists it, and Tumiki issues a
    // refresh token to every client registered for the refresh_token grant (exchangeAuthorizationCode).
    expect(getAuthorizationServerMetadata().scopes_supported).not.toContain("offline_access");
  });

  it("prefers Client ID Metadata Documents and keeps Dynamic Client Registration", () => {
    const metadata = getAuthorizationServerMetadata();
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.registration_endpoint).toBe("http://localhost:3000/oauth/register");
  });
});
