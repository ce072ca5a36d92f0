import { createHash } from "node:crypto";
import { getAppUrl } from "../auth/resource-urls";
import type { ClientRegistrationType, OAuthClient } from "../generated/prisma/client";

// Tumiki's redirect URI at a backend's authorization server. RFC 9700 §4.4.2 (mix-up): a client of
// several authorization servers must tell which one an authorization response came from, by RFC 9207
// `iss` or by a distinct redirect URI per issuer. `iss` only helps when the AS sends it, so DCR and
// pre-registered clients get `/oauth/callback/<issuerKey>`, and completeBackendAuthorization refuses a
// response that arrives anywhere but the URI its flow sent. The key is derived from the issuer alone
// (16 bytes of SHA-256, base64url: fixed length, no characters a path must escape), so the Servers page
// can show the URI for pre-registered credentials before any row exists.
//
// A CIMD client keeps the shared `/oauth/callback`: its metadata document is static and public, and
// listing a URI per issuer there would publish every issuer Tumiki uses. chooseBackendRegistration
// picks CIMD only at an AS that sends `iss`, which then tells its responses apart.

/** The callback path shared by CIMD clients; per-issuer URIs are below it. */
export const BACKEND_CALLBACK_PATH = "/oauth/callback";

export function getBackendRedirectUri({
  issuer,
  registrationType,
}: {
  issuer: string;
  registrationType: ClientRegistrationType;
}): string {
  if (registrationType === "CIMD") return getAppUrl(BACKEND_CALLBACK_PATH);
  const issuerKey = createHash("sha256")
    .update(issuer, "utf8")
    .digest()
    .subarray(0, 16)
    .toString("base64url");
  return getAppUrl(`${BACKEND_CALLBACK_PATH}/${issuerKey}`);
}

/**
 * The redirect URI to send for a stored client: the one it was registered with while that is still one
 * of Tumiki's callbacks (its issuer's own, or the shared one, which CIMD clients use and rows registered
 * before per-issuer URIs hold: their AS or the user's OAuth app knows only that one), else the one it
 * would get now (APP_URL changed, or no URI stored).
 */
export function getClientRedirectUri(
  client: Pick<OAuthClient, "issuer" | "registrationType" | "redirectUris">,
): string {
  const [registered] = client.redirectUris;
  if (registered === getAppUrl(BACKEND_CALLBACK_PATH)) return registered;
  return getBackendRedirectUri(client);
}
