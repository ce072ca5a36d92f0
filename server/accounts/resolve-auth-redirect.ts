// Where Auth.js may send the browser after sign-in or sign-out (its `redirect` callback). Auth.js
// derives its own base URL from the request's Host header (trustHost), so the allowed origin is
// APP_URL's, never the request's: a forged Host must not turn a callbackUrl into an open redirect.

// Browsers drop tabs and newlines from URLs and read a backslash as a slash; such URLs are refused.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this matches.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

type TResolveAuthRedirectOptions = { url: string; appUrl: string };

/** `url` made absolute when it is relative or on APP_URL's origin; otherwise APP_URL's dashboard. */
export function resolveAuthRedirect({ url, appUrl }: TResolveAuthRedirectOptions): string {
  const app = new URL(appUrl);
  const fallback = `${appUrl.replace(/\/+$/, "")}/dashboard`;
  if (UNSAFE_CHARACTERS.test(url)) return fallback;
  let target: URL;
  try {
    // A relative URL resolves against APP_URL; "//evil.com" resolves to evil.com and is refused below.
    target = new URL(url, app);
  } catch {
    return fallback;
  }
  return target.origin === app.origin ? target.href : fallback;
}
