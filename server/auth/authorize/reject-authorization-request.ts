import { writeAuditEvent } from "../../audit/write-audit-event";
import type { OAuthError } from "../oauth-errors";
import { buildAuthorizationRedirect } from "./build-authorization-redirect";

// Refuses an authorization request whose client and redirect URI are trusted (RFC 6749 §4.1.2.1): the
// refusal is audited for the signed-in user and sent back to the client as `error` on its redirect URI.

type TRejectAuthorizationRequestOptions = {
  userId: string;
  client: { id: string };
  redirectUri: string;
  state?: string;
  error: OAuthError;
  ip?: string;
  userAgent?: string;
};

/** Returns the redirect to the client carrying the error. */
export function rejectAuthorizationRequest(options: TRejectAuthorizationRequestOptions): string {
  const { error } = options;
  writeAuditEvent({
    eventType: "oauth.authorization_denied",
    outcome: "FAILURE",
    actorUserId: options.userId,
    clientId: options.client.id,
    ip: options.ip,
    userAgent: options.userAgent,
    reason: error.error,
  });
  return buildAuthorizationRedirect({
    redirectUri: options.redirectUri,
    result: { error: error.error, error_description: error.description },
    state: options.state,
  });
}
