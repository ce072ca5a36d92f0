import { writeAuditEvent } from "../../audit/write-audit-event";
import type { OAuthError } from "../oauth-errors";
import { buildAuthorizationRedirect } from "./build-authorization-redirect";

// Refuses an authorization request whose client and redirect URI are trusted (RFC 6749 §4.1.2.1): the
// refusal is audited for the signed-in user and sent back to the client as `error` on its redirect URI.
// A user's own "Deny" is audited as DENIED, any other refusal as FAILURE with its reason code.

type TRejectAuthorizationRequestOptions = {
  userId: string;
  client: { id: string };
  redirectUri: string;
  state?: string;
  error: OAuthError;
  /** Defaults: outcome FAILURE, reason the OAuth error code. */
  outcome?: "FAILURE" | "DENIED";
  reason?: string;
  instanceId?: string;
  ip?: string;
  userAgent?: string;
};

/** Returns the redirect to the client carrying the error. */
export function rejectAuthorizationRequest(options: TRejectAuthorizationRequestOptions): string {
  const { error } = options;
  writeAuditEvent({
    eventType: "oauth.authorization_denied",
    outcome: options.outcome ?? "FAILURE",
    actorUserId: options.userId,
    clientId: options.client.id,
    instanceId: options.instanceId,
    ip: options.ip,
    userAgent: options.userAgent,
    reason: options.reason ?? error.error,
  });
  return buildAuthorizationRedirect({
    redirectUri: options.redirectUri,
    result: { error: error.error, error_description: error.description },
    state: options.state,
  });
}
