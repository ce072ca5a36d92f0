import { getEnv } from "../env";

// The URLs Tumiki's authorization server and protected resources are known by. They derive from
// APP_URL alone, never from a request's Host header: an attacker controls Host, and a token's `aud`
// or the metadata's `issuer` built from it could be steered to another origin.

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** APP_URL without a trailing slash. */
function getAppBaseUrl(): string {
  return getEnv().APP_URL.replace(/\/+$/, "");
}

/** The authorization server's `issuer` (RFC 8414), the `iss` of every token and of RFC 9207 responses. */
export function getIssuer(): string {
  return getAppBaseUrl();
}

/** An absolute URL of this deployment, e.g. getAppUrl("/oauth/token"). */
export function getAppUrl(path: string): string {
  return `${getAppBaseUrl()}${path}`;
}

/** Whether `value` has the shape of an instance id (a lower-case UUID v4, as the database makes them). */
export function isInstanceId(value: string): boolean {
  return UUID_V4.test(value);
}

/** The canonical URL of an instance (RFC 8707 `resource`, the token's `aud`, RFC 9728 `resource`). */
export function getInstanceResourceUrl(instanceId: string): string {
  return `${getAppBaseUrl()}/mcp/${instanceId}`;
}

/** The RFC 9728 metadata URL of an instance (path-inserted), named in every 401 of /mcp/{id}. */
export function getProtectedResourceMetadataUrl(instanceId: string): string {
  return `${new URL(getAppBaseUrl()).origin}/.well-known/oauth-protected-resource/mcp/${instanceId}`;
}

/**
 * The instance id a `resource` names, or null when it is not exactly one of our instance URLs. The
 * comparison is exact (scheme, host, port, path; no query, fragment or trailing slash), as RFC 8707
 * and the MCP spec require of the canonical URI.
 */
export function parseInstanceResourceUrl(resource: string): string | null {
  const prefix = `${getAppBaseUrl()}/mcp/`;
  if (!resource.startsWith(prefix)) return null;
  const instanceId = resource.slice(prefix.length);
  return isInstanceId(instanceId) ? instanceId : null;
}
