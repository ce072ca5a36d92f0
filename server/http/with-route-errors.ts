import { AppError, RateLimitError, toPublicError } from "../errors";
import { getLogger } from "../logger";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";
import { isClientDisconnect } from "./is-client-disconnect";

// The error edge of plain JSON route handlers: an AppError becomes its status and safe message, a
// rate limit adds Retry-After and RateLimit-* headers, anything else a fixed 500. The error is logged
// once here, through the redacting logger; a client never sees a stack trace or an internal message.

type RouteHandler<C> = (request: Request, context: C) => Promise<Response>;

export function withRouteErrors<C>(handler: RouteHandler<C>): RouteHandler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, request);
    }
  };
}

export function errorResponse(error: unknown, request?: Request): Response {
  const publicError = toPublicError(error);
  const log = getLogger();
  const where = request ? { method: request.method, path: new URL(request.url).pathname } : {};
  if (isClientDisconnect({ error, signal: request?.signal })) {
    log.debug({ err: error, ...where }, "request ended early: the client went away");
  } else if (!(error instanceof AppError) || publicError.status >= 500) {
    log.error({ err: error, ...where }, "request failed");
  } else {
    log.info({ code: publicError.code, ...where }, "request refused");
  }
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (error instanceof RateLimitError) {
    for (const [name, value] of Object.entries(rateLimitHeaders(error.decision, error.retryAfterSeconds))) {
      headers.set(name, value);
    }
  }
  return Response.json(
    { error: { code: publicError.code, message: publicError.message } },
    {
      status: publicError.status,
      headers,
    },
  );
}
