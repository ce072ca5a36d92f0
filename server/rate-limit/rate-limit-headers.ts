import type { RateLimitDecision } from "../errors";

// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers, the names GitHub and
// Cloudflare send) plus Retry-After (RFC 9110) on a 429. Reset is delta-seconds, never a timestamp:
// clients' clocks differ from ours. Retry-After is at least 1: "0" tells a client to retry at once,
// which turns a limit into a busy loop when the window reset is already past or rounds down.

export function rateLimitHeaders(
  decision: RateLimitDecision,
  retryAfterSeconds?: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(Math.max(0, decision.remaining)),
    "RateLimit-Reset": String(Math.max(0, Math.ceil((decision.resetAt - Date.now()) / 1000))),
  };
  if (retryAfterSeconds !== undefined) {
    const seconds = Number.isFinite(retryAfterSeconds) ? Math.ceil(retryAfterSeconds) : 1;
    headers["Retry-After"] = String(Math.max(1, seconds));
  }
  return headers;
}
