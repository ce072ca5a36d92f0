import { generateRandomId } from "../opaque-secrets";
import { getAppUrl } from "../resource-urls";
import { getConsentCsrfCookie } from "./get-consent-csrf-cookie";
import { signConsentRequest } from "./sign-consent-request";
import type { TValidAuthorizationRequest } from "./validate-authorization-request";

// Sends the user from /oauth/authorize to the consent page with the validated request, signed. The
// route sets the CSRF cookie here because a page cannot set cookies; the page reads the same value
// from the signed request (a SameSite=Strict cookie is not sent to a page reached through a cross-site
// redirect chain), and the decision endpoint requires cookie, form field and signed value to agree.

const CSRF_VALUE = /^[A-Za-z0-9_-]{43}$/;

export async function startConsent({
  request,
  csrfCookieValue,
}: {
  request: TValidAuthorizationRequest;
  /** The CSRF cookie the browser sent, reused so two pending consent tabs both stay valid. */
  csrfCookieValue: string | undefined;
}): Promise<Response> {
  const csrf = csrfCookieValue && CSRF_VALUE.test(csrfCookieValue) ? csrfCookieValue : generateRandomId(32);
  const signed = await signConsentRequest({
    claims: {
      userId: request.userId,
      clientId: request.client.id,
      redirectUri: request.redirectUri,
      state: request.state,
      codeChallenge: request.codeChallenge,
      scopes: request.scopes,
      instanceId: request.instance.id,
      resource: request.resource,
      csrf,
    },
  });
  const headers = new Headers({
    Location: getAppUrl(`/oauth/authorize/consent?request=${encodeURIComponent(signed)}`),
    "Cache-Control": "no-store",
  });
  headers.append("Set-Cookie", getConsentCsrfCookie().serialize(csrf));
  return new Response(null, { status: 303, headers });
}
