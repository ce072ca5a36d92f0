import { getIssuer } from "../resource-urls";

// The redirect back to the client (RFC 6749 §4.1.2): the code or the error, the client's `state`, and
// `iss` (RFC 9207) so a client talking to several authorization servers can tell which one answered
// (mix-up defence). The redirect URI's own query is kept byte for byte (RFC 6749 §3.1.2): parameters are
// appended, never re-serialized into it.

type TBuildAuthorizationRedirectOptions = {
  /** The redirect_uri exactly as sent, already matched against the client's registered URIs. */
  redirectUri: string;
  result: { code: string } | { error: string; error_description?: string };
  state?: string;
};

export function buildAuthorizationRedirect({
  redirectUri,
  result,
  state,
}: TBuildAuthorizationRedirectOptions): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(result)) {
    if (value !== undefined) params.set(name, value);
  }
  if (state !== undefined) params.set("state", state);
  params.set("iss", getIssuer());

  // A redirect URI cannot register a fragment (RFC 6749 §3.1.2); should one slip through, none is sent.
  const hashAt = redirectUri.indexOf("#");
  const base = hashAt === -1 ? redirectUri : redirectUri.slice(0, hashAt);
  const separator = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return `${base}${separator}${params.toString()}`;
}
