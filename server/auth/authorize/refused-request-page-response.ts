import { describeRedirectTarget } from "../clients/redirect-uri-kind";
import type { OAuthError } from "../oauth-errors";
import { authorizationErrorPageResponse } from "./authorization-error-page-response";

// The page shown instead of redirecting an authorization error to a client the user never approved
// (RFC 9700 §4.11.2: no automatic redirect to an untrusted URI). It names the error in words, shows
// where the client's redirect URI leads, and offers the redirect as a plain link the user may follow.

const ERROR_IN_WORDS: Partial<Record<OAuthError["error"], string>> = {
  invalid_request: "The request is incomplete or malformed",
  unsupported_response_type: "The client asked for a kind of answer Tumiki does not give",
  unauthorized_client: "The client is not allowed to ask for authorization this way",
  invalid_scope: "The client asked for access the MCP instance does not offer",
  invalid_target: "The client asked for an MCP instance that is not one of yours",
};

type TRefusedRequestPageResponseOptions = {
  error: OAuthError;
  /** The redirect URI as sent (already matched against the client's registered URIs). */
  redirectUri: string;
  /** The redirect URI carrying error, error_description, state and iss. */
  location: string;
};

export function refusedRequestPageResponse({
  error,
  redirectUri,
  location,
}: TRefusedRequestPageResponseOptions): Response {
  const words = ERROR_IN_WORDS[error.error] ?? "The request was refused";
  return authorizationErrorPageResponse({
    reason: "refused_request",
    status: 400,
    detail: `${words} (${error.error}): ${error.description}`,
    returnTo: { href: location, target: describeRedirectTarget({ uri: redirectUri }) },
  });
}
