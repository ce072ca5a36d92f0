import type { OAuthClient } from "../generated/prisma/client";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import type { TSafeFetchResponse } from "../net/safe-fetch";
import { BackendRevocationError } from "./backend-revocation-error";
import { postBackendClientForm } from "./post-backend-client-form";
import { readOAuthErrorCode } from "./read-oauth-error-code";

// RFC 7009 revocation at a backend's authorization server. A disconnect calls it so that a grant the
// user ends in Tumiki also ends at the backend; whether it worked is reported, never fatal there.

const REVOCATION_TIMEOUT_MS = 5_000;
// The answer of a revocation is an empty 200 or a small error object.
const MAX_RESPONSE_BYTES = 16 * 1024;

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
  let response: TSafeFetchResponse;
  try {
    response = await postBackendClientForm({
      client,
      url: client.revocationEndpoint,
      params: { token, token_type_hint: tokenTypeHint },
      timeoutMs: REVOCATION_TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
    });
  } catch (error) {
    throw new BackendRevocationError(error instanceof OutboundFetchError ? error.reason : "network_error", {
      cause: error,
    });
  }
  if (response.status === 200) return;
  throw new BackendRevocationError(readOAuthErrorCode(response.body) ?? `http_${response.status}`);
}
