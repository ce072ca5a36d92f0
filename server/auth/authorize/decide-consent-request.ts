import { getRedis } from "../../redis";
import { AccessDeniedError, InvalidScopeError, InvalidTargetError, type OAuthError } from "../oauth-errors";
import { resolveInstanceScopes } from "../resolve-instance-scopes";
import { getInstanceResourceUrl } from "../resource-urls";
import { isOfferedScope } from "../scopes";
import { CONSENT_REQUEST_TTL_SECONDS } from "../token-lifetimes";
import type { TAuthorizationErrorReason } from "./authorization-error-messages";
import type { TConsentRequestClaims } from "./authorization-request-schema";
import { findConsentClient } from "./find-consent-client";
import { grantAuthorization } from "./grant-authorization";
import { rejectAuthorizationRequest } from "./reject-authorization-request";

// The user's answer on the consent page, once the form's origin, CSRF token and signature have been
// checked by the route. Everything the signed request names is checked again, because minutes may
// have passed: the client may be gone or have dropped the redirect URI, the instance may be deleted or
// have lost a server. Each signed request is answered once.

export type TConsentDecisionResult =
  | { outcome: "redirect"; location: string }
  | { outcome: "refused"; reason: TAuthorizationErrorReason; status: number };

type TDecideConsentRequestOptions = {
  claims: TConsentRequestClaims;
  decision: "approve" | "deny";
  /** The signed-in user now, which must be the one the request was signed for. */
  userId: string;
  ip?: string;
  userAgent?: string;
};

export async function decideConsentRequest({
  claims,
  decision,
  userId,
  ip,
  userAgent,
}: TDecideConsentRequestOptions): Promise<TConsentDecisionResult> {
  if (claims.userId !== userId) return { outcome: "refused", reason: "not_your_request", status: 403 };

  const client = await findConsentClient({ claims });
  if (!client) return { outcome: "refused", reason: "client_gone", status: 400 };

  // SET NX on the request's id: a second submission (double click, replay) is refused, not re-granted.
  const isFirstAnswer = await getRedis().set(`oauth:consent-decision:${claims.jti}`, "1", {
    nx: true,
    px: (CONSENT_REQUEST_TTL_SECONDS + 60) * 1000,
  });
  if (!isFirstAnswer) return { outcome: "refused", reason: "already_decided", status: 409 };

  const redirectError = (error: OAuthError, reason: string) =>
    ({
      outcome: "redirect",
      location: rejectAuthorizationRequest({
        userId,
        client,
        redirectUri: claims.redirectUri,
        state: claims.state,
        error,
        outcome: decision === "deny" ? "DENIED" : "FAILURE",
        reason,
        instanceId: claims.instanceId,
        ip,
        userAgent,
      }),
    }) as const;

  if (decision === "deny") {
    return redirectError(new AccessDeniedError("The user denied the authorization request."), "user_denied");
  }

  const target = await resolveInstanceScopes({ instanceId: claims.instanceId, userId });
  if (!target || getInstanceResourceUrl(target.instance.id) !== claims.resource) {
    return redirectError(new InvalidTargetError("The MCP instance no longer exists."), "instance_gone");
  }
  if (!claims.scopes.every((scope) => isOfferedScope(target.scopes, scope))) {
    return redirectError(
      new InvalidScopeError("A requested scope is no longer offered by this MCP instance."),
      "scope_withdrawn",
    );
  }

  const location = await grantAuthorization({
    userId,
    client,
    redirectUri: claims.redirectUri,
    state: claims.state,
    codeChallenge: claims.codeChallenge,
    scopes: claims.scopes,
    instanceId: target.instance.id,
    resource: claims.resource,
    isNewConsent: true,
    ip,
    userAgent,
  });
  return { outcome: "redirect", location };
}
