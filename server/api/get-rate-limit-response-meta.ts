import { RateLimitError } from "../errors";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";

type TRateLimitResponseMeta = { status?: number; headers?: Headers };

type TGetRateLimitResponseMetaOptions = {
  /** The errors of every call in the request, as tRPC's `responseMeta` receives them. */
  errors: readonly { cause?: unknown }[];
  /** How many calls the request carried (a batch has several). */
  callCount: number;
};

/**
 * The status and headers of a tRPC response that hit a rate limit: 429 with Retry-After and the
 * RateLimit-* fields, as the MCP and OAuth routes send them. In a batch where other calls were
 * answered, the status stays tRPC's 207 (a 429 would say none was), but the headers still tell the
 * client when to come back.
 */
export function getRateLimitResponseMeta({
  errors,
  callCount,
}: TGetRateLimitResponseMetaOptions): TRateLimitResponseMeta {
  const limited = errors.map((error) => error.cause).find((cause) => cause instanceof RateLimitError);
  if (!limited) return {};
  const headers = new Headers(rateLimitHeaders(limited.decision, limited.retryAfterSeconds));
  const isEveryCallLimited =
    errors.length === callCount && errors.every((error) => error.cause instanceof RateLimitError);
  return isEveryCallLimited ? { status: 429, headers } : { headers };
}
