import { isLoopbackHost } from "../../net/is-loopback-host";
import { InvalidRedirectUriError } from "../oauth-errors";

// Which redirect URIs a client may register (RFC 7591 §2, RFC 8252, OAuth 2.1 §2.3.1). Accepted:
// - https URLs;
// - http only on a loopback host (localhost, 127.0.0.1, [::1]): native and CLI clients listen there;
// - private-use schemes in reverse-DNS form (RFC 8252 §7.1, e.g. `com.example.app:/callback`): the dot
//   ties the scheme to a domain its app owns;
// - the bare schemes of the known MCP desktop clients (Cursor registers `cursor://anysphere.cursor-...`),
//   named one by one: any other bare scheme is refused, since without a dot nothing separates it from
//   `javascript:`-like schemes. Any app can claim a private-use scheme, which is why the consent page
//   warns about app targets as it does about loopback ones (see redirect-uri-kind.ts).
// Everything else is refused, as are fragments (RFC 6749 §3.1.2), user info, and any character outside
// printable ASCII: the URL parser silently drops tabs, newlines and surrounding spaces, so
// "java\tscript:" or " javascript:" would otherwise become something else once parsed. The raw scheme must
// be in lower case so that the string stored, the string matched and the URL a browser opens agree.

const MAX_LENGTH = 2000;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const REVERSE_DNS_SCHEME = /^[a-z][a-z0-9+-]*(?:\.[a-z0-9+-]+)+:$/;
const KNOWN_APP_SCHEMES: ReadonlySet<string> = new Set([
  "cursor:",
  "vscode:",
  "vscode-insiders:",
  "windsurf:",
]);

function refuse(description: string): never {
  throw new InvalidRedirectUriError(description, { reason: "invalid_redirect_uri" });
}

export function assertValidRedirectUri({ uri }: { uri: string }): void {
  if (typeof uri !== "string" || uri.length === 0) refuse("A redirect URI must be a non-empty string.");
  if (uri.length > MAX_LENGTH) refuse(`A redirect URI must be at most ${MAX_LENGTH} characters long.`);
  if (!PRINTABLE_ASCII.test(uri)) {
    refuse("A redirect URI must not contain spaces, control characters or non-ASCII characters.");
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    refuse("A redirect URI must be an absolute URL.");
  }
  if (!uri.startsWith(url.protocol)) refuse("The scheme of a redirect URI must be in lower case.");
  if (uri.includes("#")) refuse("A redirect URI must not contain a fragment.");
  if (url.username !== "" || url.password !== "") refuse("A redirect URI must not contain user information.");

  if (url.protocol === "https:" || url.protocol === "http:") {
    if (!uri.startsWith(`${url.protocol}//`)) refuse("A redirect URI must be an absolute URL with a host.");
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
      refuse("A redirect URI must use https, or http only on a loopback host (localhost, 127.0.0.1, [::1]).");
    }
    return;
  }
  if (!REVERSE_DNS_SCHEME.test(url.protocol) && !KNOWN_APP_SCHEMES.has(url.protocol)) {
    refuse(
      "A redirect URI must use https, http on a loopback host, or a reverse-domain private-use scheme " +
        "such as com.example.app:/callback.",
    );
  }
}
