import { describe, expect, it } from "vitest";
import { calculateTTL } from "./backend-token-cache";

const now = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(now + ms);
const HOUR_MS = 3_600_000;

describe("calculateTTL", () => {
  it("ends the cache entry at the buffer before expiry", () => {
    expect(calculateTTL({ expiresAt: at(600_000), now, bufferMs: 300_000 })).toBe(300_000);
  });

  it("is 0 (do not cache) inside the buffer or after expiry", () => {
    expect(calculateTTL({ expiresAt: at(300_000), now, bufferMs: 300_000 })).toBe(0);
    expect(calculateTTL({ expiresAt: at(100_000), now, bufferMs: 300_000 })).toBe(0);
    expect(calculateTTL({ expiresAt: at(-5_000), now, bufferMs: 300_000 })).toBe(0);
  });

  it("caps long-lived tokens and tokens without an expiry at an hour", () => {
    expect(calculateTTL({ expiresAt: at(24 * HOUR_MS), now, bufferMs: 300_000 })).toBe(HOUR_MS);
    expect(calculateTTL({ expiresAt: null, now, bufferMs: 300_000 })).toBe(HOUR_MS);
  });
});
