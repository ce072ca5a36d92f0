import type { AiClient } from "../../generated/prisma/client";
import { assertRateLimit } from "../../rate-limit/assert-rate-limit";
import { resolveAiClient } from "../clients/resolve-ai-client";
import { InvalidClientError, InvalidRequestError } from "../oauth-errors";
import { isSecretMatchingHash } from "../opaque-secrets";

// Client authentication at /oauth/token and /oauth/revoke (RFC 6749 §2.3, OAuth 2.1 §2.4): `none` (a
// public client names itself with client_id), `client_secret_basic` and `client_secret_post`. The
// method must be the one the client registered, so a confidential client's secret cannot be skipped by
// pretending to be public. The rate limit is counted first, so guessing secrets, codes or refresh tokens
// stays bounded: per client_id for a confidential client; per client_id and address for a public one,
// because a public client_id is no secret (a CIMD client_id is a URL every install of that client
// shares) and one address must not spend the budget of all its users. A request naming no client is
// counted per address.

export type TClientAuthMethod = "none" | "client_secret_basic" | "client_secret_post";

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

function readPresentedCredentials(
  headers: Headers,
  form: Record<string, string>,
): PresentedCredentials | null {
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
  if (form.client_id === undefined) return null;
  if (form.client_secret !== undefined) {
    return { method: "client_secret_post", clientId: form.client_id, clientSecret: form.client_secret };
  }
  return { method: "none", clientId: form.client_id };
}

function rateLimitIdentifier(presented: PresentedCredentials | null, ip: string): string {
  if (!presented) return `ip:${ip}`;
  if (presented.method === "none") return `client:${presented.clientId}|ip:${ip}`;
  return `client:${presented.clientId}`;
}

/** The authenticated client, or InvalidClientError; RateLimitError when its budget is spent. */
export async function authenticateTokenClient({
  headers,
  form,
  ip,
  now = new Date(),
}: {
  headers: Headers;
  form: Record<string, string>;
  ip: string;
  now?: Date;
}): Promise<AiClient> {
  let presented: PresentedCredentials | null;
  try {
    presented = readPresentedCredentials(headers, form);
  } catch (error) {
    await assertRateLimit("oauthToken", `ip:${ip}`);
    throw error;
  }
  await assertRateLimit("oauthToken", rateLimitIdentifier(presented, ip));
  if (!presented) {
    throw new InvalidClientError("Client authentication is required.", { reason: "client_missing" });
  }

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
