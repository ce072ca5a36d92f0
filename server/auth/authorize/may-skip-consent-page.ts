import { hasRememberedConsent } from "./has-remembered-consent";
import type { TValidAuthorizationRequest } from "./validate-authorization-request";

// Whether a valid request may be granted without showing the consent page. A remembered consent
// normally suffices, with one exception the MCP spec warns about: a Client ID Metadata Document cannot
// stop another program on the user's machine from claiming that client_id with a loopback redirect
// URI, so a CIMD client redirecting to loopback is always asked for, where the user can see the
// request was theirs.

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function maySkipConsentPage({
  request,
}: {
  request: TValidAuthorizationRequest;
}): Promise<boolean> {
  if (request.client.kind === "CIMD" && LOOPBACK_HOSTS.has(new URL(request.redirectUri).hostname)) {
    return false;
  }
  return hasRememberedConsent({
    userId: request.userId,
    clientId: request.client.id,
    instanceId: request.instance.id,
    scopes: request.scopes,
  });
}
