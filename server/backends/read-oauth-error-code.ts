// RFC 6749 §5.2: an `error` code is printable ASCII without `"` and `\`. Anything else an authorization
// server sends in its place is not a code Tumiki can act on or safely record.
const OAUTH_ERROR_CODE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/** The `error` of an OAuth error response (a JSON body, or a redirect's query value), when it is valid. */
export function readOAuthErrorCode(source: Buffer | string | null | undefined): string | undefined {
  if (source === null || source === undefined) return undefined;
  if (typeof source === "string") return OAUTH_ERROR_CODE.test(source) ? source : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source.toString("utf8"));
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  return typeof error === "string" && OAUTH_ERROR_CODE.test(error) ? error : undefined;
}
