import { getEnv } from "../../env";
import { CONSENT_REQUEST_TTL_SECONDS } from "../token-lifetimes";

// The double-submit cookie of the consent form. Over https it is a `__Host-` cookie (Secure, Path=/, no
// Domain), which no sibling subdomain can plant; over plain http (local development, tests) browsers
// refuse that prefix, so it has a plain name. SameSite=Strict: a cross-site POST never carries it.

export type TConsentCsrfCookie = {
  name: string;
  secure: boolean;
  /** The Set-Cookie header value for `value`. */
  serialize: (value: string) => string;
};

export function getConsentCsrfCookie(): TConsentCsrfCookie {
  const secure = new URL(getEnv().APP_URL).protocol === "https:";
  const name = secure ? "__Host-tumiki-oauth-csrf" : "tumiki-oauth-csrf";
  return {
    name,
    secure,
    serialize: (value) =>
      [
        `${name}=${value}`,
        "Path=/",
        `Max-Age=${CONSENT_REQUEST_TTL_SECONDS}`,
        "HttpOnly",
        "SameSite=Strict",
        ...(secure ? ["Secure"] : []),
      ].join("; "),
  };
}
