import { z } from "zod";
import type { OAuthClient } from "../generated/prisma/client";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import type { TSafeFetchResponse } from "../net/safe-fetch";
import { BackendTokenError } from "./backend-token-error";
import { postBackendClientForm } from "./post-backend-client-form";
import { readOAuthErrorCode } from "./read-oauth-error-code";

// Tumiki's one call to a backend's token endpoint (authorization code exchange and refresh).

const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** The longest lifetime recorded for a token: a larger expires_in would overflow a Date. */
const MAX_EXPIRES_IN_SECONDS = 365 * 24 * 60 * 60;

// expires_in is a number per RFC 6749, but some providers send it as a numeric string. A huge value
// (JSON.parse turns 1e400 into Infinity) is capped rather than refused: the response already consumed
// the code or refresh token, so refusing it would lose the grant.
const ZExpiresIn = z.preprocess((value) => {
  const seconds = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof seconds === "number" && seconds > MAX_EXPIRES_IN_SECONDS ? MAX_EXPIRES_IN_SECONDS : seconds;
}, z.number().int().nonnegative());

const ZBackendTokenResponse = z
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

const TRANSIENT_FETCH_FAILURES = new Set(["timeout", "network_error", "dns_failure"]);
/** Socket errors of the connect step: nothing was sent yet. */
const CONNECT_FAILURE_CODES = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH"]);

/** Whether the request provably never reached the AS: the name did not resolve, or no connection was made. */
function wasNeverSent(error: OutboundFetchError): boolean {
  if (error.reason === "dns_failure") return true;
  if (error.reason !== "network_error") return false;
  // Connecting to a name with several addresses may fail with one error per address.
  const causes = error.cause instanceof AggregateError ? error.cause.errors : [error.cause];
  return (
    causes.length > 0 &&
    causes.every((cause) => CONNECT_FAILURE_CODES.has(String((cause as { code?: unknown } | null)?.code)))
  );
}

/** Retry-After (RFC 9110 §10.2.3: seconds or an HTTP date) in milliseconds from now. */
function readRetryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
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
  let response: TSafeFetchResponse;
  try {
    response = await postBackendClientForm({
      client,
      url: client.tokenEndpoint,
      params,
      timeoutMs,
      maxBytes: MAX_TOKEN_RESPONSE_BYTES,
    });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    throw new BackendTokenError({
      reason: error.reason,
      retryable: TRANSIENT_FETCH_FAILURES.has(error.reason),
      notProcessed: wasNeverSent(error),
      origin,
      cause: error,
    });
  }

  if (response.status === 200) {
    const parsed = ZBackendTokenResponse.safeParse(parseJson(response.body));
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
  // 503 and 429 say the AS turned the request away; a 500, 502 or 504 may come after it acted on it.
  const notProcessed = response.status === 503 || response.status === 429;
  const oauthError = readOAuthErrorCode(response.body);
  throw new BackendTokenError({
    reason: oauthError ?? (retryable ? "server_unavailable" : "unexpected_status"),
    oauthError,
    retryable,
    notProcessed,
    retryAfterMs: notProcessed ? readRetryAfterMs(response.headers.get("retry-after")) : undefined,
    status: response.status,
    origin,
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
