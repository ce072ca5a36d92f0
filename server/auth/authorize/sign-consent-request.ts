import { SignJWT } from "jose";
import { generateRandomId } from "../opaque-secrets";
import { getIssuer } from "../resource-urls";
import { CONSENT_REQUEST_TTL_SECONDS } from "../token-lifetimes";
import type { TConsentRequestClaims } from "./authorization-request-schema";
import { getConsentRequestKey } from "./get-consent-request-key";

// The validated authorization request, signed, is what the consent page shows and posts back: the
// decision endpoint trusts nothing else from the form, so a user cannot widen scopes or swap the
// redirect URI between the page and the decision, and an attacker cannot make one up.

export const CONSENT_REQUEST_TYPE = "tumiki-consent+jwt";
export const CONSENT_REQUEST_AUDIENCE = "tumiki:oauth:consent";

export async function signConsentRequest({
  claims,
  now = new Date(),
}: {
  claims: Omit<TConsentRequestClaims, "jti">;
  now?: Date;
}): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ...claims, jti: generateRandomId() })
    .setProtectedHeader({ alg: "HS256", typ: CONSENT_REQUEST_TYPE })
    .setIssuer(getIssuer())
    .setAudience(CONSENT_REQUEST_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + CONSENT_REQUEST_TTL_SECONDS)
    .sign(getConsentRequestKey());
}
