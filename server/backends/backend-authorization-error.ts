import { AppError } from "../errors";

// Why a backend authorization (the redirect back to /oauth/callback[/<issuerKey>]) was refused. The reason is the
// machine-readable code of the audit trail; the userMessage is what the callback page shows. A state
// that belongs to another user reads exactly like an unknown one, so a callback URL reveals nothing.

const BACKEND_AUTHORIZATION_FAILURES = [
  "missing_state",
  "unknown_state",
  "wrong_user",
  "state_reused",
  "state_expired",
  "redirect_uri_mismatch",
  "iss_missing",
  "iss_mismatch",
  "access_denied",
  "authorization_error",
  "missing_code",
  "code_exchange_failed",
] as const;

export type TBackendAuthorizationFailure = (typeof BACKEND_AUTHORIZATION_FAILURES)[number];

export class BackendAuthorizationError extends AppError {
  readonly reason: TBackendAuthorizationFailure;
  /** Set only once the state proved the server belongs to this user's flow. */
  readonly mcpServerId?: string;

  constructor({
    reason,
    userMessage,
    mcpServerId,
    cause,
  }: {
    reason: TBackendAuthorizationFailure;
    userMessage: string;
    mcpServerId?: string;
    cause?: unknown;
  }) {
    super("BAD_REQUEST", { message: `backend authorization failed: ${reason}`, userMessage, cause });
    this.name = "BackendAuthorizationError";
    this.reason = reason;
    this.mcpServerId = mcpServerId;
  }
}
