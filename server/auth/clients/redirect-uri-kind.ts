// Where a redirect URI sends the user, in the three kinds the authorization flow treats differently:
// - "web": an https site, named by its origin;
// - "loopback": a program on this computer listening on localhost, 127.0.0.1 or [::1] (RFC 8252 §7.3);
// - "app": an app on this computer, through a private-use scheme (RFC 8252 §7.1, e.g. cursor://).
// Loopback and app targets share one weakness: any program on the machine can claim them, so the
// consent page warns about them and a CIMD client sending the code there always gets the page.

import { isLoopbackHost } from "../../net/is-loopback-host";

export type TRedirectUriKind = "web" | "loopback" | "app";

/** The kind of a redirect URI that assertValidRedirectUri accepted. */
export function getRedirectUriKind({ uri }: { uri: string }): TRedirectUriKind {
  const url = new URL(uri);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "app";
  return isLoopbackHost(url.hostname) ? "loopback" : "web";
}

/**
 * The target as the user should read it: `scheme://host`, or the scheme alone when there is no host.
 * The scheme is always shown: the host of `com.evil.app://accounts.google.com/cb` alone would read as
 * Google, though the answer goes to whatever app claims `com.evil.app`.
 */
export function describeRedirectTarget({ uri }: { uri: string }): string {
  const url = new URL(uri);
  return url.host ? `${url.protocol}//${url.host}` : url.protocol;
}
