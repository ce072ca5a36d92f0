import { seeOther } from "../../http/see-other";
import { generateRandomId } from "../opaque-secrets";
import { getAppUrl } from "../resource-urls";
import { getConsentCsrfCookie } from "./get-consent-csrf-cookie";
import { signConsentRequest } from "./sign-consent-request";
import type { TValidAuthorizationRequest } from "./validate-authorization-request";

// Sends the user from /oauth/authorize to the consent page with the validated request, signed. The
// route sets the CSRF cookie here because a page cannot set cookies; the page reads the same value from
// the signed request rather than the cookie (page rendering has no business reading it), and the
// decision endpoint requires cookie, form field and signed value to agree. The cookie is SameSite=Lax,
// so it comes along on the client's cross-site navigation here and a pending value is reused.

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
  const response = seeOther({
    location: getAppUrl(`/oauth/authorize/consent?request=${encodeURIComponent(signed)}`),
  });
  response.headers.append("Set-Cookie", getConsentCsrfCookie().serialize(csrf));
  return response;
}
