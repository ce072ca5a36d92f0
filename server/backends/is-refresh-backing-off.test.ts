import { describe, expect, it } from "vitest";
import { isRefreshBackingOff, REFRESH_BACKOFF_MS } from "./is-refresh-backing-off";

const now = Date.parse("2025-01-01T00:00:00Z");
const failedAt = (msAgo: number) => new Date(now - msAgo);
const base = {
  isValid: true,
  lastError: "timeout",
  updatedAt: failedAt(1_000),
  expiresAt: new Date(now + 60_000),
};

describe("isRefreshBackingOff", () => {
  it("backs off after a failure that kept the token, while the backoff lasts and the token works", () => {
    expect(isRefreshBackingOff({ token: base, now })).toBe(true);
    expect(isRefreshBackingOff({ token: { ...base, expiresAt: null }, now })).toBe(true);
    expect(
      isRefreshBackingOff({ token: { ...base, updatedAt: failedAt(REFRESH_BACKOFF_MS - 1) }, now }),
    ).toBe(true);
  });

  it("does not back off after the backoff, once the token has expired, without a failure, or for a gone grant", () => {
    expect(isRefreshBackingOff({ token: { ...base, updatedAt: failedAt(REFRESH_BACKOFF_MS) }, now })).toBe(
      false,
    );
    expect(isRefreshBackingOff({ token: { ...base, expiresAt: new Date(now) }, now })).toBe(false);
    expect(isRefreshBackingOff({ token: { ...base, lastError: null }, now })).toBe(false);
    expect(isRefreshBackingOff({ token: { ...base, isValid: false }, now })).toBe(false);
  });
});
