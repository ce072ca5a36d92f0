// One error hierarchy for the whole server (DESIGN.md convention 4). Domain code throws these; each edge
// (tRPC formatter, route wrapper, OAuth serializer) maps them once. `message` is for logs, `userMessage`
// is the only text that reaches a client. Anything that is not an AppError becomes a generic 500.

export const APP_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_STATUS;

const DEFAULT_USER_MESSAGE: Record<AppErrorCode, string> = {
  BAD_REQUEST: "The request is not valid.",
  UNAUTHORIZED: "You need to sign in.",
  FORBIDDEN: "You do not have access to this.",
  NOT_FOUND: "Not found.",
  METHOD_NOT_ALLOWED: "This method is not allowed here.",
  NOT_ACCEPTABLE: "The response cannot be given in a format the request accepts.",
  CONFLICT: "This conflicts with something that already exists.",
  PAYLOAD_TOO_LARGE: "The request is too large.",
  UNSUPPORTED_MEDIA_TYPE: "The request body has an unsupported content type.",
  RATE_LIMITED: "Too many requests. Try again later.",
  INTERNAL: "Something went wrong on our side. Try again later.",
  UNAVAILABLE: "A service Tumiki depends on is unavailable. Try again shortly.",
};

export type AppErrorOptions = {
  message?: string;
  userMessage?: string;
  cause?: unknown;
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly userMessage: string;

  constructor(code: AppErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? options.userMessage ?? DEFAULT_USER_MESSAGE[code], { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = options.userMessage ?? DEFAULT_USER_MESSAGE[code];
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

export type RateLimitDecision = {
  limit: number;
  remaining: number;
  /** Unix time in milliseconds at which the window resets. */
  resetAt: number;
};

export class RateLimitError extends AppError {
  readonly decision: RateLimitDecision;
  /** Whole seconds, at least 1: a zero or past reset must never tell a client to retry at once. */
  readonly retryAfterSeconds: number;

  constructor(policy: string, decision: RateLimitDecision, now = Date.now()) {
    super("RATE_LIMITED", { message: `rate limit "${policy}" exceeded` });
    this.name = "RateLimitError";
    this.decision = decision;
    this.retryAfterSeconds = Math.max(1, Math.ceil((decision.resetAt - now) / 1000));
  }
}

export type PublicError = { status: number; code: AppErrorCode; message: string };

/** What a client may see of any error: an AppError's safe text, or a fixed generic 500. */
export function toPublicError(error: unknown): PublicError {
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.userMessage };
  }
  return { status: 500, code: "INTERNAL", message: DEFAULT_USER_MESSAGE.INTERNAL };
}
