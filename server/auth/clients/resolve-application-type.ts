import { InvalidRedirectUriError } from "../oauth-errors";
import type { TApplicationType } from "./client-metadata-schema";
import { getRedirectUriKind } from "./redirect-uri-kind";

// The `application_type` (OpenID Connect Registration 1.0 §2) a client registers with, by DCR or in its
// metadata document, checked against its redirect URIs (each already accepted by assertValidRedirectUri).
// MCP 2026-07-28 makes clients send it (SEP-837) because an OIDC server holds each type to its own
// redirect URIs. Tumiki holds them to these, the rules of oidc-provider (an OpenID-certified server) for a
// server without the implicit grant:
// - web: https, or http on a loopback host. OIDC keeps web clients to https and off localhost only when
//   they use the implicit grant, which Tumiki does not offer; and web is OIDC's default, so the many MCP
//   clients that register a loopback URI without saying a type are web clients by OIDC's own reading.
//   A private-use scheme (cursor://, com.example.app:/) is refused: only an installed app can receive
//   one, so a client calling itself a web application while naming one has described itself wrongly.
// - native: loopback, private-use schemes, and https. OIDC's list for native clients stops at the first
//   two, but RFC 8252 §7.2 (claimed https URIs) adds the third, oidc-provider accepts it, and VS Code
//   registers exactly that (`native` with http://127.0.0.1:33418/ and https://vscode.dev/redirect), by
//   DCR and in its metadata document: refusing it would lock VS Code out. So no URI Tumiki accepts at
//   all is refused to a native client.
// The refusal is invalid_redirect_uri, as for every other redirect URI Tumiki refuses: a client that
// understands it can register again with the other type (the MCP spec's retry advice for SEP-837).
// Without a declared type, the client gets the one Tumiki registers and returns for it (RFC 7591 §3.2.1):
// web, OIDC's default, unless a redirect URI is a private-use scheme, which only a native app receives.

export function resolveApplicationType({
  declared,
  redirectUris,
}: {
  declared: TApplicationType | undefined;
  redirectUris: readonly string[];
}): TApplicationType {
  const appUri = redirectUris.find((uri) => getRedirectUriKind({ uri }) === "app");
  if (declared === "web" && appUri !== undefined) {
    throw new InvalidRedirectUriError(
      `A web application cannot receive its redirect at a private-use scheme (${new URL(appUri).protocol}): ` +
        'use https or an http loopback URI, or register with application_type "native".',
      { reason: "application_type_mismatch" },
    );
  }
  return declared ?? (appUri === undefined ? "web" : "native");
}
