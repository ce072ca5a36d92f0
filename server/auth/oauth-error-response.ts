import { AppError, RateLimitError } from "../errors";
import { isClientDisconnect } from "../http/is-client-disconnect";
import { getLogger } from "../logger";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";
import { InsufficientScopeError, InvalidClientError, InvalidTokenError, OAuthError } from "./oauth-errors";
import { formatScopeString } from "./scopes";

// The OAuth error edge (DESIGN.md convention 5): the only place an error becomes an RFC 6749 §5.2 JSON
// body. A rate limit becomes 429 with Retry-After; anything that is not an OAuthError is logged and
// becomes a fixed `server_error`, so no internal message or stack trace reaches a client.

/** Every answer of the authorization server's endpoints, success or error (RFC 6749 §5.1). */
export const NO_STORE_HEADERS = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

export type OAuthErrorResponseOptions = {
  /** For protected-resource errors: adds `WWW-Authenticate: Bearer …, resource_metadata="…"`. */
  resourceMetadataUrl?: string;
  /**
   * For a protected-resource error other than insufficient_scope (which names its own): the scopes the
   * challenge's `scope` names (RFC 6750 §3), the ones a client should ask for to be let in.
   */
  challengeScopes?: readonly string[];
  /**
   * The client tried HTTP Basic. RFC 6749 §5.2: invalid_client answers 401 with a Basic challenge then,
   * and 400 when the client authenticated otherwise (a 401 must always carry a challenge).
   */
  usedBasicAuth?: boolean;
};

// RFC 9110 §15.6.4: a 503 should say when to retry; a dependency outage is usually brief.
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const quote = (value: string) => `"${value.replace(/["\\]/g, "")}"`;

export function oauthErrorResponse(error: unknown, options: OAuthErrorResponseOptions = {}): Response {
  const headers = new Headers(NO_STORE_HEADERS);
  if (error instanceof RateLimitError) {
    for (const [name, value] of Object.entries(rateLimitHeaders(error.decision, error.retryAfterSeconds))) {
      headers.set(name, value);
    }
    return Response.json(
      {
        error: "temporarily_unavailable",
        error_description: "Too many requests. Retry after the time in Retry-After.",
      },
      { status: 429, headers },
    );
  }
  // A dependency that fails closed (a rate limit with Redis down) is an outage the client may retry.
  if (error instanceof AppError && error.code === "UNAVAILABLE") {
    getLogger().warn({ err: error }, "OAuth request refused: a dependency is unavailable");
    headers.set("Retry-After", String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return Response.json(
      { error: "temporarily_unavailable", error_description: error.userMessage },
      { status: 503, headers },
    );
  }
  if (!(error instanceof OAuthError)) {
    if (isClientDisconnect({ error })) {
      getLogger().debug({ err: error }, "OAuth request ended early: the client went away");
    } else {
      getLogger().error({ err: error }, "OAuth request failed");
    }
    return Response.json(
      { error: "server_error", error_description: "Something went wrong on our side. Try again later." },
      { status: 500, headers },
    );
  }
  if (options.resourceMetadataUrl) {
    // RFC 6750 §3.1: a request that carried no credential at all gets the bare challenge, no error code.
    const isMissingToken = error instanceof InvalidTokenError && error.reason === "missing_token";
    const params = isMissingToken
      ? []
      : [`error=${quote(error.error)}`, `error_description=${quote(error.description)}`];
    const scopes = error instanceof InsufficientScopeError ? error.scopes : (options.challengeScopes ?? []);
    if (scopes.length > 0) params.push(`scope=${quote(formatScopeString(scopes))}`);
    params.push(`resource_metadata=${quote(options.resourceMetadataUrl)}`);
    headers.set("WWW-Authenticate", `Bearer ${params.join(", ")}`);
  }
  let status = error.status;
  if (error instanceof InvalidClientError && !options.resourceMetadataUrl) {
    if (options.usedBasicAuth) headers.set("WWW-Authenticate", 'Basic realm="tumiki"');
    else status = 400;
  }
  return Response.json({ error: error.error, error_description: error.description }, { status, headers });
}
