import { resolveSameOriginUrl } from "../http/resolve-same-origin-url";

// Where Auth.js may send the browser after sign-in or sign-out (its `redirect` callback). Auth.js
// derives its own base URL from the request's Host header (trustHost), so the allowed origin is
// APP_URL's, never the request's: a forged Host must not turn a callbackUrl into an open redirect.

type TResolveAuthRedirectOptions = { url: string; appUrl: string };

/** `url` made absolute when it is relative or on APP_URL's origin; otherwise APP_URL's dashboard. */
export function resolveAuthRedirect({ url, appUrl }: TResolveAuthRedirectOptions): string {
  return resolveSameOriginUrl(url, appUrl)?.href ?? `${appUrl.replace(/\/+$/, "")}/dashboard`;
}
