// OAuth errors, one class per RFC 6749 / 6750 / 7591 / 8707 error code (DESIGN.md convention 5). Domain
// code of the authorization server and the protected resource throws these; the one serializer in
// oauth-error-response.ts turns them into the JSON body, the status and, for resource errors, the
// `WWW-Authenticate` header. `description` is `error_description`: it reaches the client, so it must
// never quote a token, a secret or an internal detail.

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "invalid_target"
  | "access_denied"
  | "invalid_redirect_uri"
  | "invalid_client_metadata"
  | "invalid_token"
  | "insufficient_scope"
  | "temporarily_unavailable";

export abstract class OAuthError extends Error {
  abstract readonly error: OAuthErrorCode;
  abstract readonly status: number;
  /** A machine-readable reason for logs and the audit trail (e.g. "code_reused"); never sent. */
  readonly reason: string | undefined;

  constructor(
    readonly description: string,
    options: { reason?: string; cause?: unknown } = {},
  ) {
    super(description, { cause: options.cause });
    this.name = new.target.name;
    this.reason = options.reason;
  }
}

export class InvalidRequestError extends OAuthError {
  readonly error = "invalid_request";
  readonly status = 400;
}

/** Client authentication failed (RFC 6749 §5.2). The serializer answers 401 with a Basic challenge when
 *  the client used Basic, else 400. */
export class InvalidClientError extends OAuthError {
  readonly error = "invalid_client";
  readonly status = 401;
}

export class InvalidGrantError extends OAuthError {
  readonly error = "invalid_grant";
  readonly status = 400;
}

export class UnauthorizedClientError extends OAuthError {
  readonly error = "unauthorized_client";
  readonly status = 400;
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = "unsupported_grant_type";
  readonly status = 400;
}

export class UnsupportedResponseTypeError extends OAuthError {
  readonly error = "unsupported_response_type";
  readonly status = 400;
}

export class InvalidScopeError extends OAuthError {
  readonly error = "invalid_scope";
  readonly status = 400;
}

/** RFC 8707: the `resource` is not one Tumiki serves to this user. */
export class InvalidTargetError extends OAuthError {
  readonly error = "invalid_target";
  readonly status = 400;
}

export class AccessDeniedError extends OAuthError {
  readonly error = "access_denied";
  readonly status = 403;
}

/** RFC 7591 §3.2.2. */
export class InvalidRedirectUriError extends OAuthError {
  readonly error = "invalid_redirect_uri";
  readonly status = 400;
}

/** RFC 7591 §3.2.2. */
export class InvalidClientMetadataError extends OAuthError {
  readonly error = "invalid_client_metadata";
  readonly status = 400;
}

/** RFC 6750 §3.1: the bearer token is missing, malformed, expired, revoked or for another resource. */
export class InvalidTokenError extends OAuthError {
  readonly error = "invalid_token";
  readonly status = 401;
}

/**
 * RFC 6750 §3.1: the token is valid but does not cover the request. `scopes` are all the scopes the
 * request needs, not only those the token lacks, and all at once: MCP 2026-07-28 has servers name every
 * scope an operation needs in one challenge, since a client challenged for one scope at a time would
 * have to send its user through authorization once per scope.
 */
export class InsufficientScopeError extends OAuthError {
  readonly error = "insufficient_scope";
  readonly status = 403;

  constructor(
    readonly scopes: readonly [string, ...string[]],
    description = `This request needs the scope${scopes.length > 1 ? "s" : ""} ${scopes.join(" ")}.`,
  ) {
    super(description, { reason: "insufficient_scope" });
  }
}

export class TemporarilyUnavailableError extends OAuthError {
  readonly error = "temporarily_unavailable";
  readonly status = 503;
}
