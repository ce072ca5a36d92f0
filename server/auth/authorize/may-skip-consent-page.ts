import { getRedirectUriKind } from "../clients/redirect-uri-kind";
import { hasRememberedConsent } from "./has-remembered-consent";
import type { TValidAuthorizationRequest } from "./validate-authorization-request";

// Whether a valid request may be granted without showing the consent page. A remembered consent
// normally suffices, with one exception the MCP spec warns about: a Client ID Metadata Document cannot
// stop another program on the user's machine from claiming that client_id with a loopback redirect
// URI or an app's private-use scheme, so a CIMD client redirecting to either is always asked for, where
// the user can see the request was theirs.

export async function maySkipConsentPage({
  request,
}: {
  request: TValidAuthorizationRequest;
}): Promise<boolean> {
  if (request.client.kind === "CIMD" && getRedirectUriKind({ uri: request.redirectUri }) !== "web") {
    return false;
  }
  return hasRememberedConsent({
    userId: request.userId,
    clientId: request.client.id,
    instanceId: request.instance.id,
    scopes: request.scopes,
  });
}
