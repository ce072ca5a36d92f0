import { hkdfSync } from "node:crypto";
import { getEnv } from "../../env";

// The HMAC key of signed consent requests, derived from AUTH_SECRET for this one purpose (HKDF with its
// own `info`), so a consent request can never pass for an Auth.js session or anything else signed with
// AUTH_SECRET, and rotating AUTH_SECRET invalidates pending consent pages with the sessions.

const INFO = "tumiki/oauth/consent-request/v1";

let cached: { secret: string; key: Uint8Array } | undefined;

export function getConsentRequestKey(): Uint8Array {
  const secret = getEnv().AUTH_SECRET;
  if (cached?.secret !== secret) {
    cached = { secret, key: new Uint8Array(hkdfSync("sha256", secret, "", INFO, 32)) };
  }
  return cached.key;
}
