import { authorizationErrorPageResponse } from "@/server/auth/authorize/authorization-error-page-response";
import { ZConsentDecisionForm } from "@/server/auth/authorize/authorization-request-schema";
import { decideConsentRequest } from "@/server/auth/authorize/decide-consent-request";
import { getConsentCsrfCookie } from "@/server/auth/authorize/get-consent-csrf-cookie";
import { getSignedInUserId } from "@/server/auth/authorize/get-signed-in-user-id";
import { isMatchingCsrfToken } from "@/server/auth/authorize/is-matching-csrf-token";
import { isSameOriginRequest } from "@/server/auth/authorize/is-same-origin-request";
import { verifyConsentRequest } from "@/server/auth/authorize/verify-consent-request";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { readRequestCookie } from "@/server/http/read-request-cookie";
import { seeOther } from "@/server/http/see-other";
import { withRouteErrors } from "@/server/http/with-route-errors";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// POST /oauth/authorize/decision: the consent form's Approve or Deny. Nothing is stored unless the post
// comes from Tumiki's own page (Origin, then the double-submit CSRF token: cookie, form field and the
// value inside the signed request must all agree), the signature holds, and the signed-in user is the
// one the request was signed for. The answer to the client is a 303, so the browser follows with GET.

export const dynamic = "force-dynamic";

export const POST = withRouteMetrics(
  "oauth",
  withRouteErrors(async (request: Request) => {
    if (!isSameOriginRequest({ headers: request.headers })) {
      return authorizationErrorPageResponse({ reason: "csrf", status: 403 });
    }
    const form = ZConsentDecisionForm.safeParse(
      Object.fromEntries(await request.formData().catch(() => new FormData())),
    );
    const cookie = readRequestCookie({ headers: request.headers, name: getConsentCsrfCookie().name });
    if (!isMatchingCsrfToken({ expected: cookie, presented: form.data?.csrf_token })) {
      return authorizationErrorPageResponse({ reason: "csrf", status: 403 });
    }
    if (!form.success) return authorizationErrorPageResponse({ reason: "invalid_form", status: 400 });

    const userId = await getSignedInUserId();
    if (!userId) return authorizationErrorPageResponse({ reason: "signed_out", status: 401 });
    const claims = await verifyConsentRequest({ token: form.data.request });
    if (!claims) return authorizationErrorPageResponse({ reason: "expired_request", status: 400 });
    if (!isMatchingCsrfToken({ expected: claims.csrf, presented: form.data.csrf_token })) {
      return authorizationErrorPageResponse({ reason: "csrf", status: 403 });
    }

    const { ip, userAgent } = getRequestOrigin(request.headers);
    const result = await decideConsentRequest({
      claims,
      decision: form.data.decision,
      userId,
      ip,
      userAgent,
    });
    if (result.outcome === "refused") {
      return authorizationErrorPageResponse({ reason: result.reason, status: result.status });
    }
    return seeOther({ location: result.location });
  }),
);
