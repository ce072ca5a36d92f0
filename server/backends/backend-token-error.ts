import { AppError } from "../errors";

/**
 * A token request that did not yield a token. `oauthError` is the authorization server's error code
 * (RFC 6749 §5.2, e.g. "invalid_grant"); `retryable` says whether trying again later may succeed (5xx,
 * 429, timeouts, network errors). `reason` is a machine-readable summary for logs, audit and
 * OAuthToken.lastError. No message ever contains a token or a client secret.
 */
export class BackendTokenError extends AppError {
  readonly oauthError?: string;
  readonly retryable: boolean;
  /** The AS's HTTP status, when it answered. (AppError's own `status` is Tumiki's HTTP status.) */
  readonly responseStatus?: number;
  readonly reason: string;

  constructor(options: {
    reason: string;
    retryable: boolean;
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
    this.oauthError = options.oauthError;
    this.responseStatus = options.status;
  }
}
