// The one check behind every redirect target Tumiki accepts from a request (the sign-in form's
// callbackUrl, Auth.js's redirect callback). Pure, so client components may import it.

// Browsers drop tab and newline characters from URLs and read a backslash as a slash, so "/\t/evil.com"
// and "/\\evil.com" both become "//evil.com". Such values are refused outright rather than cleaned up.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this matches.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/** `value` resolved against `base` when it stays on base's origin; null for anything that would leave. */
export function resolveSameOriginUrl(value: string, base: string): URL | null {
  if (UNSAFE_CHARACTERS.test(value)) return null;
  try {
    const origin = new URL(base).origin;
    // A relative value resolves against base; "//evil.com" resolves to evil.com and is refused.
    const url = new URL(value, base);
    return url.origin === origin ? url : null;
  } catch {
    return null;
  }
}
