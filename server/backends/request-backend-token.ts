import { z } from "zod";
import type { OAuthClient } from "../generated/prisma/client";
import { OutboundFetchError, safeFetch } from "../net/safe-fetch";
import { authenticateBackendClient } from "./authenticate-backend-client";
import { BackendTokenError } from "./backend-token-error";

// Tumiki's one call to a backend's token endpoint (authorization code exchange and refresh). The URL
// came from the backend's metadata, so it goes through safeFetch; a token endpoint answers directly,
// so no redirect is followed (a redirect would also replay the client secret and the grant elsewhere).

const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

// expires_in is a number per RFC 6749, but some providers send it as a numeric string.
const ZExpiresIn = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().nonnegative());

export const ZBackendTokenResponse = z
  .object({
    access_token: z.string().min(1),
    // Only bearer tokens are supported (RFC 6749 §7.1: the type is case-insensitive); a DPoP or MAC
    // token used as a bearer would fail at the backend anyway.
    token_type: z.string().refine((type) => type.toLowerCase() === "bearer", "token_type must be Bearer"),
    expires_in: ZExpiresIn.optional(),
    refresh_token: z.string().min(1).optional(),
    scope: z.string().optional(),
  })
  .transform((raw) => ({
    accessToken: raw.access_token,
    tokenType: "Bearer",
    refreshToken: raw.refresh_token,
    expiresIn: raw.expires_in,
    scope: raw.scope,
  }));

export type TBackendTokenResponse = z.infer<typeof ZBackendTokenResponse>;

const ZOAuthErrorResponse = z.object({
  error: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[\x20-\x7e]+$/),
});

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** POSTs a token request for `client` (an OAuthClient row, decrypted) with its auth method, via safeFetch. */
export async function requestBackendToken({
  client,
  params,
  timeoutMs = TOKEN_REQUEST_TIMEOUT_MS,
}: {
  client: OAuthClient;
  params: Record<string, string>;
  /** Lower than the default when the caller has a deadline of its own (a refresh under a lock). */
  timeoutMs?: number;
}): Promise<TBackendTokenResponse> {
  const origin = new URL(client.tokenEndpoint).origin;
  const authentication = authenticateBackendClient(client);
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch({
      url: client.tokenEndpoint,
      method: "POST",
      headers: {
        ...authentication.headers,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ ...params, ...authentication.body }).toString(),
      maxBytes: MAX_TOKEN_RESPONSE_BYTES,
      timeoutMs,
      maxRedirects: 0,
    });
  } catch (error) {
    if (error instanceof OutboundFetchError) {
      const transient =
        error.reason === "timeout" || error.reason === "network_error" || error.reason === "dns_failure";
      throw new BackendTokenError({ reason: error.reason, retryable: transient, origin, cause: error });
    }
    throw error;
  }

  const json = parseJson(response.body);
  if (response.status === 200) {
    const parsed = ZBackendTokenResponse.safeParse(json);
    if (parsed.success) return parsed.data;
    // The issues name fields and rules, never their values.
    throw new BackendTokenError({
      reason: "invalid_token_response",
      retryable: false,
      status: response.status,
      origin,
    });
  }

  const retryable = response.status >= 500 || response.status === 429;
  const oauthError = ZOAuthErrorResponse.safeParse(json);
  if (oauthError.success) {
    throw new BackendTokenError({
      reason: oauthError.data.error,
      oauthError: oauthError.data.error,
      retryable,
      status: response.status,
      origin,
    });
  }
  throw new BackendTokenError({
    reason: retryable ? "server_unavailable" : "unexpected_status",
    retryable,
    status: response.status,
    origin,
  });
}
