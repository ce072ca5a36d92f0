import { AppError } from "../errors";
import type { OAuthClient } from "../generated/prisma/client";
import { OutboundFetchError, safeFetch } from "../net/safe-fetch";
import { authenticateBackendClient } from "./authenticate-backend-client";

// RFC 7009 revocation at a backend's authorization server. A disconnect calls it so that a grant the
// user ends in Tumiki also ends at the backend; whether it worked is reported, never fatal there.

const REVOCATION_TIMEOUT_MS = 5_000;
// The answer of a revocation is an empty 200 or a small error object.
const MAX_RESPONSE_BYTES = 16 * 1024;

/** Why a revocation failed: an OAuth error code, `http_<status>`, or a safeFetch failure reason. */
export class BackendRevocationError extends AppError {
  constructor(
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super("UNAVAILABLE", {
      message: `backend token revocation failed: ${reason}`,
      userMessage: "The backend's authorization server did not confirm the revocation.",
      cause: options.cause,
    });
    this.name = "BackendRevocationError";
  }
}

function readOAuthError(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    const error = (parsed as { error?: unknown } | null)?.error;
    return typeof error === "string" && /^[\x20-\x7e]{1,64}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Asks `client.revocationEndpoint` to revoke `token` (RFC 7009). Resolves when the AS answered 200,
 * which it also does for a token that was already invalid; throws BackendRevocationError otherwise,
 * including when the client has no revocation endpoint.
 */
export async function revokeBackendToken({
  client,
  token,
  tokenTypeHint,
}: {
  /** A decrypted OAuthClient row. */
  client: OAuthClient;
  token: string;
  tokenTypeHint: "access_token" | "refresh_token";
}): Promise<void> {
  if (!client.revocationEndpoint) throw new BackendRevocationError("no_revocation_endpoint");
  const authentication = authenticateBackendClient(client);
  const body = new URLSearchParams({ token, token_type_hint: tokenTypeHint, ...authentication.body });
  const headers = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
    ...authentication.headers,
  };
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch({
      url: client.revocationEndpoint,
      method: "POST",
      headers,
      body: body.toString(),
      maxBytes: MAX_RESPONSE_BYTES,
      timeoutMs: REVOCATION_TIMEOUT_MS,
      // A redirect would resend the credentials elsewhere.
      maxRedirects: 0,
    });
  } catch (error) {
    throw new BackendRevocationError(error instanceof OutboundFetchError ? error.reason : "network_error", {
      cause: error,
    });
  }
  if (response.status === 200) return;
  throw new BackendRevocationError(readOAuthError(response.body) ?? `http_${response.status}`);
}
