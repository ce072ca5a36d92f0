import { AppError } from "../errors";

/**
 * A token request that did not yield a token. `oauthError` is the authorization server's error code
 * (RFC 6749 §5.2, e.g. "invalid_grant"); `retryable` says whether trying again later may succeed (5xx,
 * 429, timeouts, network errors). `notProcessed` is narrower: the AS provably did not act on the request
 * (the connection was refused or the host not resolved before anything was sent; a 503 or 429), so a
 * one-time grant (a refresh token, a code) may be sent again; after a timeout or a 502 it may have been
 * consumed. `reason` is a machine-readable summary for logs, audit and OAuthToken.lastError. No message
 * ever contains a token or a client secret.
 */
export class BackendTokenError extends AppError {
  readonly oauthError?: string;
  readonly retryable: boolean;
  readonly notProcessed: boolean;
  /** The AS's Retry-After of a 503 or 429, in milliseconds. */
  readonly retryAfterMs?: number;
  /** The AS's HTTP status, when it answered. (AppError's own `status` is Tumiki's HTTP status.) */
  readonly responseStatus?: number;
  readonly reason: string;

  constructor(options: {
    reason: string;
    retryable: boolean;
    notProcessed?: boolean;
    retryAfterMs?: number;
    oauthError?: string;
    status?: number;
    origin: string;
    cause?: unknown;
  }) {
    super(options.retryable ? "UNAVAILABLE" : "FORBIDDEN", {
      message: `token request to ${options.origin} failed: ${options.reason}${options.status ? ` (HTTP ${options.status})` : ""}`,
      userMessage: options.retryable
        ? "The server's authorization server did not answer. Try again shortly."
        : "The server's authorization server refused the token request.",
      cause: options.cause,
    });
    this.name = "BackendTokenError";
    this.reason = options.reason;
    this.retryable = options.retryable;
    this.notProcessed = options.notProcessed ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.oauthError = options.oauthError;
    this.responseStatus = options.status;
  }
}
