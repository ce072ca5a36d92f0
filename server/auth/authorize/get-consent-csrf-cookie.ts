import { getEnv } from "../../env";
import { CONSENT_REQUEST_TTL_SECONDS } from "../token-lifetimes";

// The double-submit cookie of the consent form. Over https it is a `__Host-` cookie (Secure, Path=/, no
// Domain), which no sibling subdomain can plant; over plain http (local development, tests) browsers
// refuse that prefix, so it has a plain name. SameSite=Lax (as the MCP security best practices name it):
// a cross-site POST never carries it, while the cross-site navigation that starts an authorization does,
// so /oauth/authorize reuses a pending value instead of overwriting the one another consent tab holds.
// Lax alone would not stop a forged form; the Origin check and the signed value do.

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
        "SameSite=Lax",
        ...(secure ? ["Secure"] : []),
      ].join("; "),
  };
}
