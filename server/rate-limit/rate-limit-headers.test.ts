import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimitError } from "../errors";
import { rateLimitHeaders } from "./rate-limit-headers";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("rateLimitHeaders", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends limit, remaining and whole seconds until the reset, rounded up; no Retry-After when allowed", () => {
    expect(rateLimitHeaders({ limit: 10, remaining: 7, resetAt: NOW + 90_500 })).toEqual({
      "RateLimit-Limit": "10",
      "RateLimit-Remaining": "7",
      "RateLimit-Reset": "91",
    });
  });

  it("adds Retry-After from a RateLimitError", () => {
    const decision = { limit: 5, remaining: 0, resetAt: NOW + 1_800_000 };
    const error = new RateLimitError("signUp", decision);
    expect(rateLimitHeaders(error.decision, error.retryAfterSeconds)).toEqual({
      "RateLimit-Limit": "5",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "1800",
      "Retry-After": "1800",
    });
  });

  it("never sends a negative reset, nor a Retry-After of 0, when the reset is already past", () => {
    const decision = { limit: 5, remaining: 0, resetAt: NOW - 3_000 };
    const headers = rateLimitHeaders(decision, 0);
    expect(headers["RateLimit-Reset"]).toBe("0");
    expect(headers["Retry-After"]).toBe("1");
    expect(
      rateLimitHeaders(decision, new RateLimitError("signIn", decision).retryAfterSeconds)["Retry-After"],
    ).toBe("1");
  });

  it("rounds a fractional Retry-After up and clamps a negative remaining to 0", () => {
    const headers = rateLimitHeaders({ limit: 3, remaining: -2, resetAt: NOW + 100 }, 0.2);
    expect(headers["Retry-After"]).toBe("1");
    expect(headers["RateLimit-Remaining"]).toBe("0");
    expect(headers["RateLimit-Reset"]).toBe("1");
  });
});
