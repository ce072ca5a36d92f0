import { authorizationErrorPageResponse } from "@/server/auth/authorize/authorization-error-page-response";
import { getConsentCsrfCookie } from "@/server/auth/authorize/get-consent-csrf-cookie";
import { getSignedInUserId } from "@/server/auth/authorize/get-signed-in-user-id";
import { grantAuthorization } from "@/server/auth/authorize/grant-authorization";
import { maySkipConsentPage } from "@/server/auth/authorize/may-skip-consent-page";
import { refusedRequestPageResponse } from "@/server/auth/authorize/refused-request-page-response";
import { rejectAuthorizationRequest } from "@/server/auth/authorize/reject-authorization-request";
import { startConsent } from "@/server/auth/authorize/start-consent";
import { validateAuthorizationRequest } from "@/server/auth/authorize/validate-authorization-request";
import { getAppUrl } from "@/server/auth/resource-urls";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { readRequestCookie } from "@/server/http/read-request-cookie";
import { seeOther } from "@/server/http/see-other";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// GET /oauth/authorize (RFC 6749 §4.1.1 with PKCE, RFC 8707 resource, RFC 9207 iss). An untrusted
// client or redirect URI gets an error page; a signed-out user signs in first and returns here; other
// errors go back to the client, by redirect if the user approved it before and otherwise by a link on an
// error page (no open redirect); a remembered consent is granted at once; otherwise the consent page.

export const dynamic = "force-dynamic";

export const GET = withRouteMetrics(
  "oauth",
  withRouteErrors(async (request: Request) => {
    const url = new URL(request.url);
    const userId = await getSignedInUserId();
    const { ip, userAgent } = getRequestOrigin(request.headers);
    const validation = await validateAuthorizationRequest({ query: url.searchParams, userId, ip });

    switch (validation.outcome) {
      case "error_page":
        return authorizationErrorPageResponse({
          reason: validation.reason,
          status: validation.reason === "rate_limited" ? 429 : 400,
          detail: validation.detail,
        });
      case "sign_in_required": {
        const callbackUrl = `${url.pathname}${url.search}`;
        return seeOther({ location: getAppUrl(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`) });
      }
      case "redirect_error": {
        const { outcome: _outcome, automatic, ...rejection } = validation;
        const location = rejectAuthorizationRequest({ ...rejection, ip, userAgent });
        if (automatic) return seeOther({ location });
        return refusedRequestPageResponse({
          error: validation.error,
          redirectUri: validation.redirectUri,
          location,
        });
      }
      case "valid": {
        const { request: valid } = validation;
        if (await maySkipConsentPage({ request: valid })) {
          const location = await grantAuthorization({
            userId: valid.userId,
            client: valid.client,
            redirectUri: valid.redirectUri,
            state: valid.state,
            codeChallenge: valid.codeChallenge,
            scopes: valid.scopes,
            instanceId: valid.instance.id,
            resource: valid.resource,
            isNewConsent: false,
            ip,
            userAgent,
          });
          return seeOther({ location });
        }
        return startConsent({
          request: valid,
          csrfCookieValue: readRequestCookie({ headers: request.headers, name: getConsentCsrfCookie().name }),
        });
      }
    }
  }),
);
