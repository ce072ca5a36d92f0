// The loopback host names Tumiki accepts where plain http is allowed (a redirect URI of a program on
// this computer, RFC 8252 §7.3; a development server). One list, so every caller agrees. Pure, so
// client components may import it.

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `hostname` as the URL parser gives it (lower case, IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
