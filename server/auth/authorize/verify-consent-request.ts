import { jwtVerify } from "jose";
import { getIssuer } from "../resource-urls";
import { type TConsentRequestClaims, ZConsentRequestClaims } from "./authorization-request-schema";
import { getConsentRequestKey } from "./get-consent-request-key";
import { CONSENT_REQUEST_AUDIENCE, CONSENT_REQUEST_TYPE } from "./sign-consent-request";

/** The claims of a signed consent request, or null when it is forged, altered, expired or malformed. */
export async function verifyConsentRequest({
  token,
  now = new Date(),
}: {
  token: string;
  now?: Date;
}): Promise<TConsentRequestClaims | null> {
  try {
    const { payload } = await jwtVerify(token, getConsentRequestKey(), {
      algorithms: ["HS256"],
      typ: CONSENT_REQUEST_TYPE,
      issuer: getIssuer(),
      audience: CONSENT_REQUEST_AUDIENCE,
      currentDate: now,
      requiredClaims: ["exp", "iat", "jti"],
    });
    const claims = ZConsentRequestClaims.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}
