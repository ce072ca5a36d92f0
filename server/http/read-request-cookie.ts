// One cookie's value from a request's Cookie header (route handlers that are tested with plain Request
// objects cannot use next/headers). Values are returned as sent, without URI decoding.

export function readRequestCookie({ headers, name }: { headers: Headers; name: string }): string | undefined {
  for (const pair of (headers.get("cookie") ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator !== -1 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
