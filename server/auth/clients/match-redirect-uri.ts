import { isLoopbackHost } from "../../net/is-loopback-host";

// Whether a redirect_uri sent to /oauth/authorize is one the client registered. The comparison is an
// exact string match (OAuth 2.1 §4.1.1; no normalisation, so case, trailing slash, query all count),
// with the one exception of RFC 8252 §7.3: a native client listening on a loopback interface gets a
// port from the operating system at run time, so for http loopback URIs the port may differ. The host
// itself must match as registered (localhost is not 127.0.0.1).

// Read from the raw string, not a parsed URL, so the comparison stays byte for byte: the parser would
// lower-case the host and drop a default port. Anything before the host (user info) fails the match.
const HTTP_AUTHORITY = /^http:\/\/(\[[^\]/]*\]|[^/?#:@[]*)(?::(\d{1,5}))?([/?].*)?$/;

function withoutLoopbackPort(uri: string): string | null {
  const match = HTTP_AUTHORITY.exec(uri);
  if (!match) return null;
  const [, host = "", port, rest = ""] = match;
  if (!isLoopbackHost(host)) return null;
  if (port !== undefined && Number(port) > 65535) return null;
  return `http://${host}${rest}`;
}

export function isRegisteredRedirectUri({
  registered,
  requested,
}: {
  registered: readonly string[];
  requested: string;
}): boolean {
  if (registered.includes(requested)) return true;
  const requestedWithoutPort = withoutLoopbackPort(requested);
  if (requestedWithoutPort === null) return false;
  return registered.some((uri) => withoutLoopbackPort(uri) === requestedWithoutPort);
}
