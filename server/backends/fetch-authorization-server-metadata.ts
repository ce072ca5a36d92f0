import { z } from "zod";
import { assertOutboundUrl } from "../net/assert-outbound-url";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import { BackendDiscoveryError } from "./backend-discovery-error";
import type { METADATA_SOURCES, TBackendAuthorizationServer } from "./backend-schemas";
import { fetchMetadataDocument } from "./fetch-metadata-document";

// RFC 8414 / OpenID Connect discovery of a backend's authorization server, at the well-known URLs the MCP
// spec lists, in its order: for an issuer with a path, OAuth path-inserted, OpenID path-inserted, OpenID
// path-appended; without one, OAuth then OpenID. Returns null when none of them has a document.
//
// A document is refused, not skipped, when:
// - its `issuer` is not exactly the URL it was looked up for (RFC 8414 §3.3; a mix-up defence);
// - `code_challenge_methods_supported` lacks S256 or is absent: the MCP spec says clients MUST refuse to
//   proceed when it is absent, since PKCE is required;
// - an endpoint is not a URL safeFetch would accept (http(s), https outside the development allowlist, no
//   credentials, no private IP literal). The authorization endpoint is opened in the user's browser, never
//   fetched by us, so this is the only check it gets; a `javascript:` URL there would run in our popup.

const ZAuthorizationServerMetadata = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  registration_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  scopes_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  client_id_metadata_document_supported: z.boolean().optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});

/** The sources a metadata document can come from ("default-endpoints" is discovery's fallback). */
type TSource = Exclude<(typeof METADATA_SOURCES)[number], "default-endpoints">;

/** RFC 8414 §2: when the metadata names no methods, client_secret_basic is the default. */
export const DEFAULT_TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"];

function candidates(issuer: URL): { url: string; source: TSource }[] {
  const path = issuer.pathname.endsWith("/") ? issuer.pathname.slice(0, -1) : issuer.pathname;
  const { origin } = issuer;
  if (!path) {
    return [
      { url: `${origin}/.well-known/oauth-authorization-server`, source: "oauth-authorization-server" },
      { url: `${origin}/.well-known/openid-configuration`, source: "openid-configuration" },
    ];
  }
  return [
    { url: `${origin}/.well-known/oauth-authorization-server${path}`, source: "oauth-authorization-server" },
    { url: `${origin}/.well-known/openid-configuration${path}`, source: "openid-configuration" },
    { url: `${origin}${path}/.well-known/openid-configuration`, source: "openid-configuration" },
  ];
}

function assertSafeEndpoint(name: string, value: string | undefined, issuer: string): void {
  if (value === undefined) return;
  try {
    assertOutboundUrl(value);
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    throw new BackendDiscoveryError("unsafe_endpoint", {
      message: `${name} of ${issuer}: ${error.reason}`,
      userMessage: `The authorization server ${issuer} advertises a ${name.replaceAll("_", " ")} Tumiki will not use: ${error.userMessage}`,
      outboundReason: error.reason,
      cause: error,
    });
  }
}

export async function fetchAuthorizationServerMetadata({
  issuer,
  signal,
}: {
  /** The authorization server URL named by the protected resource metadata (or the server's origin). */
  issuer: string;
  signal?: AbortSignal;
}): Promise<TBackendAuthorizationServer | null> {
  let issuerUrl: URL;
  try {
    issuerUrl = assertOutboundUrl(issuer).url;
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    // Nothing was fetched: the URL itself is refused, like an unsafe endpoint in the metadata.
    throw new BackendDiscoveryError("unsafe_endpoint", {
      message: `authorization server URL: ${error.reason}`,
      userMessage: `The server names an authorization server Tumiki will not contact (${issuer}): ${error.userMessage}`,
      outboundReason: error.reason,
      cause: error,
    });
  }

  for (const { url, source } of candidates(issuerUrl)) {
    const result = await fetchMetadataDocument({
      url,
      schema: ZAuthorizationServerMetadata,
      label: "authorization server metadata",
      signal,
    });
    if (!result.found) continue;
    const metadata = result.document;
    if (metadata.issuer !== issuer) {
      throw new BackendDiscoveryError("issuer_mismatch", {
        message: "authorization server metadata names another issuer",
        userMessage: `The authorization server metadata at ${issuerUrl.origin} names issuer ${metadata.issuer}, not ${issuer} as the server said.`,
      });
    }
    if (!metadata.code_challenge_methods_supported?.includes("S256")) {
      throw new BackendDiscoveryError("pkce_unsupported", {
        message: "authorization server does not list PKCE S256",
        userMessage: `The authorization server ${issuer} does not advertise PKCE with S256, which MCP requires; Tumiki cannot connect to it safely.`,
      });
    }
    assertSafeEndpoint("authorization_endpoint", metadata.authorization_endpoint, issuer);
    assertSafeEndpoint("token_endpoint", metadata.token_endpoint, issuer);
    assertSafeEndpoint("registration_endpoint", metadata.registration_endpoint, issuer);
    assertSafeEndpoint("revocation_endpoint", metadata.revocation_endpoint, issuer);
    return {
      issuer: metadata.issuer,
      authorizationEndpoint: metadata.authorization_endpoint,
      tokenEndpoint: metadata.token_endpoint,
      registrationEndpoint: metadata.registration_endpoint,
      revocationEndpoint: metadata.revocation_endpoint,
      scopesSupported: metadata.scopes_supported,
      tokenEndpointAuthMethods:
        metadata.token_endpoint_auth_methods_supported ?? DEFAULT_TOKEN_ENDPOINT_AUTH_METHODS,
      clientIdMetadataDocumentSupported: metadata.client_id_metadata_document_supported === true,
      issParameterSupported: metadata.authorization_response_iss_parameter_supported === true,
      metadataSource: source,
    };
  }
  return null;
}
