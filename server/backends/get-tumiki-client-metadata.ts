import { getAppUrl } from "../auth/resource-urls";
import type { TTumikiClientMetadata } from "./backend-schemas";

// Tumiki's own Client ID Metadata Document, served at /oauth/client-metadata.json. A backend's
// authorization server that supports CIMD fetches it when Tumiki presents its URL as client_id, and checks
// that `client_id` is exactly that URL and that the redirect URI is listed. Tumiki holds no secret for
// such a registration, so it is a public client (`none`) that relies on PKCE. The same name, URI, grant and
// response types are what Tumiki registers by DCR and stores on every OAuthClient row. The redirect URI
// here is the shared callback: DCR and pre-registered clients get one per issuer instead
// (getBackendRedirectUri), which this public document must not list.
//
// `application_type` (which MCP 2026-07-28 has clients send, SEP-837) is `web` here and in DCR, even
// when APP_URL is a loopback address in development: Tumiki is a server-side web application that holds
// its client secret, not an app on the user's computer, and its redirect URIs are https or loopback
// http, both of which OIDC allows a web client that does not use the implicit grant (oidc-provider, the
// demo backend's AS, accepts exactly that).

export function getTumikiClientMetadata(): TTumikiClientMetadata {
  return {
    client_id: getAppUrl("/oauth/client-metadata.json"),
    client_name: "Tumiki",
    client_uri: getAppUrl(""),
    redirect_uris: [getAppUrl("/oauth/callback")],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    application_type: "web",
  };
}
