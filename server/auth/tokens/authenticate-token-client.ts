import type { AiClient } from "../../generated/prisma/client";
import { assertRateLimit } from "../../rate-limit/assert-rate-limit";
import type { TOKEN_ENDPOINT_AUTH_METHODS } from "../clients/client-metadata-schema";
import { resolveAiClient } from "../clients/resolve-ai-client";
import { InvalidClientError, InvalidRequestError, OAuthError } from "../oauth-errors";
import { isSecretMatchingHash } from "../opaque-secrets";
import { readOAuthForm } from "./read-oauth-form";

// Client authentication at /oauth/token and /oauth/revoke (RFC 6749 §2.3, OAuth 2.1 §2.4): `none` (a
// public client names itself with client_id), `client_secret_basic` and `client_secret_post`. The
// method must be the one the client registered, so a confidential client's secret cannot be skipped by
// pretending to be public. An unknown client_id is refused: resolveAiClient never registers a client
// here (a CIMD client is created only by /oauth/authorize), so this anonymous endpoint fetches nothing.
//
// Two budgets keep guessing of secrets, codes and refresh tokens bounded without letting a stranger
// lock a client out:
// - every request refused before its client is authenticated (a malformed form, no client, an unknown
//   client, a wrong secret) counts against its address (`oauthClientAuthFailure`); a failure over that
//   budget is answered 429 instead of invalid_client. Only failures are counted and refused, never a
//   request that authenticates: the address is often shared (a NAT, or "unknown" when no proxy hop is
//   trusted), and refusing everyone on it would let one stranger lock every client out. Telling a right
//   guess from a wrong one past the budget is harmless, since secrets, codes and refresh tokens are
//   256-bit random;
// - only an authenticated request spends the client's own budget (`oauthToken`): per client_id for a
//   confidential client; per client_id and address for a public one, because a public client_id is no
//   secret (a CIMD client_id is a URL every install of that client shares) and one address must not
//   spend the budget of all its users.

export type TClientAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

type PresentedCredentials = { method: TClientAuthMethod; clientId: string; clientSecret?: string };

// RFC 6749 §2.3.1: client_id and client_secret are form-url-encoded before Basic encoding.
function formUrlDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

function readBasicCredentials(authorization: string): PresentedCredentials {
  const invalid = () =>
    new InvalidClientError("The Basic authorization header is malformed.", { reason: "malformed_basic" });
  const encoded = authorization.slice("basic ".length).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw invalid();
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) throw invalid();
  try {
    return {
      method: "client_secret_basic",
      clientId: formUrlDecode(decoded.slice(0, colon)),
      clientSecret: formUrlDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw invalid();
  }
}

function readPresentedCredentials(headers: Headers, form: Record<string, string>): PresentedCredentials {
  const authorization = headers.get("authorization");
  if (authorization && /^basic /i.test(authorization)) {
    const basic = readBasicCredentials(authorization);
    // RFC 6749 §2.3: one authentication method per request.
    if (form.client_secret !== undefined) {
      throw new InvalidRequestError("Use one client authentication method, not two.", {
        reason: "multiple_auth_methods",
      });
    }
    if (form.client_id !== undefined && form.client_id !== basic.clientId) {
      throw new InvalidRequestError("client_id in the body differs from the Basic credentials.", {
        reason: "client_id_mismatch",
      });
    }
    return basic;
  }
  if (form.client_id === undefined) {
    throw new InvalidClientError("Client authentication is required.", { reason: "client_missing" });
  }
  if (form.client_secret !== undefined) {
    return { method: "client_secret_post", clientId: form.client_id, clientSecret: form.client_secret };
  }
  return { method: "none", clientId: form.client_id };
}

async function verifyPresentedClient(presented: PresentedCredentials, now: Date): Promise<AiClient> {
  const client = await resolveAiClient({ clientId: presented.clientId });
  if (!client) throw new InvalidClientError("Client authentication failed.", { reason: "client_unknown" });
  if (client.tokenEndpointAuthMethod !== presented.method) {
    throw new InvalidClientError("Client authentication failed.", { reason: "auth_method_mismatch" });
  }
  if (presented.method === "none") return client;
  if (
    !client.clientSecretHash ||
    !presented.clientSecret ||
    !isSecretMatchingHash(presented.clientSecret, client.clientSecretHash)
  ) {
    throw new InvalidClientError("Client authentication failed.", { reason: "client_secret_invalid" });
  }
  if (client.clientSecretExpiresAt && client.clientSecretExpiresAt <= now) {
    throw new InvalidClientError("The client secret has expired.", { reason: "client_secret_expired" });
  }
  return client;
}

/**
 * Reads the form and authenticates its client. Throws the OAuthError of a refused request (counted
 * against the address), or RateLimitError when that failure is over the address's budget or an
 * authenticated client has spent its own.
 */
export async function authenticateTokenClient({
  request,
  ip,
  now = new Date(),
}: {
  request: Request;
  ip: string;
  now?: Date;
}): Promise<{ client: AiClient; form: Record<string, string> }> {
  let form: Record<string, string>;
  let client: AiClient;
  try {
    form = await readOAuthForm({ request });
    client = await verifyPresentedClient(readPresentedCredentials(request.headers, form), now);
  } catch (error) {
    // Over the address's budget, assertRateLimit throws RateLimitError in place of the OAuth error.
    if (error instanceof OAuthError) await assertRateLimit("oauthClientAuthFailure", ip);
    throw error;
  }
  const budget =
    client.tokenEndpointAuthMethod === "none"
      ? `client:${client.clientId}|ip:${ip}`
      : `client:${client.clientId}`;
  await assertRateLimit("oauthToken", budget);
  return { client, form };
}
