import { AppError, RateLimitError } from "../errors";
import { getLogger } from "../logger";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";
import { InsufficientScopeError, InvalidClientError, OAuthError } from "./oauth-errors";

// The OAuth error edge (DESIGN.md convention 5): the only place an error becomes an RFC 6749 §5.2 JSON
// body. A rate limit becomes 429 with Retry-After; anything that is not an OAuthError is logged and
// becomes a fixed `server_error`, so no internal message or stack trace reaches a client.

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" } as const;

export type OAuthErrorResponseOptions = {
  /** For protected-resource errors: adds `WWW-Authenticate: Bearer …, resource_metadata="…"`. */
  resourceMetadataUrl?: string;
  /** The client tried HTTP Basic: an invalid_client answer carries a Basic challenge (RFC 6749 §5.2). */
  usedBasicAuth?: boolean;
};

const quote = (value: string) => `"${value.replace(/["\\]/g, "")}"`;

export function oauthErrorResponse(error: unknown, options: OAuthErrorResponseOptions = {}): Response {
  const headers = new Headers(NO_STORE);
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
    return Response.json(
      { error: "temporarily_unavailable", error_description: error.userMessage },
      { status: 503, headers },
    );
  }
  if (!(error instanceof OAuthError)) {
    getLogger().error({ err: error }, "OAuth request failed");
    return Response.json(
      { error: "server_error", error_description: "Something went wrong on our side. Try again later." },
      { status: 500, headers },
    );
  }
  if (options.resourceMetadataUrl) {
    const params = [`error=${quote(error.error)}`, `error_description=${quote(error.description)}`];
    if (error instanceof InsufficientScopeError) params.push(`scope=${quote(error.scope)}`);
    params.push(`resource_metadata=${quote(options.resourceMetadataUrl)}`);
    headers.set("WWW-Authenticate", `Bearer ${params.join(", ")}`);
  } else if (error instanceof InvalidClientError && options.usedBasicAuth) {
    headers.set("WWW-Authenticate", 'Basic realm="tumiki"');
  }
  return Response.json(
    { error: error.error, error_description: error.description },
    { status: error.status, headers },
  );
}
