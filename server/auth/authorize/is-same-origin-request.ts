import { getEnv } from "../../env";

// A state-changing form post must come from a page of this deployment. Browsers send `Origin` with
// every cross-origin POST (and with same-origin ones too), so a foreign or opaque ("null") origin is
// refused; a request without the header is left to the CSRF token.

export function isSameOriginRequest({ headers }: { headers: Headers }): boolean {
  const origin = headers.get("origin");
  if (origin === null) return true;
  return origin === new URL(getEnv().APP_URL).origin;
}
