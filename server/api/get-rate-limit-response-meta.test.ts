import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { AppError, RateLimitError } from "../errors";
import { getRateLimitResponseMeta } from "./get-rate-limit-response-meta";

const limited = () =>
  new TRPCError({
    code: "TOO_MANY_REQUESTS",
    cause: new RateLimitError("signUp", { limit: 5, remaining: 0, resetAt: Date.now() + 90_500 }),
  });

describe("getRateLimitResponseMeta", () => {
  it("answers a rate-limited call with 429, Retry-After and every RateLimit-* header", () => {
    const meta = getRateLimitResponseMeta({ errors: [limited()], callCount: 1 });

    expect(meta.status).toBe(429);
    expect(Object.fromEntries(meta.headers ?? [])).toEqual({
      "retry-after": "91",
      "ratelimit-limit": "5",
      "ratelimit-remaining": "0",
      "ratelimit-reset": "91",
    });
  });

  it("keeps tRPC's multi-status in a batch where another call was answered, with the headers", () => {
    const meta = getRateLimitResponseMeta({ errors: [limited()], callCount: 2 });

    expect(meta.status).toBeUndefined();
    expect(meta.headers?.get("Retry-After")).toBe("91");
  });

  it("adds nothing when no call was rate limited", () => {
    const errors = [new TRPCError({ code: "CONFLICT", cause: new AppError("CONFLICT") })];

    expect(getRateLimitResponseMeta({ errors, callCount: 1 })).toEqual({});
    expect(getRateLimitResponseMeta({ errors: [], callCount: 1 })).toEqual({});
  });
});
