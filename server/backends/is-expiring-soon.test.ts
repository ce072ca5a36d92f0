import { describe, expect, it } from "vitest";
import { calculateTTL, MAX_CACHE_TTL_MS } from "./backend-token-cache";
import { isExpiringSoon } from "./is-expiring-soon";

const now = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(now + ms);

describe("isExpiringSoon", () => {
  it("is true inside the buffer, at its edge and after expiry; false outside it", () => {
    expect(isExpiringSoon({ expiresAt: at(299_999), now, bufferMs: 300_000 })).toBe(true);
    expect(isExpiringSoon({ expiresAt: at(300_000), now, bufferMs: 300_000 })).toBe(true);
    expect(isExpiringSoon({ expiresAt: at(-1), now, bufferMs: 300_000 })).toBe(true);
    expect(isExpiringSoon({ expiresAt: at(300_001), now, bufferMs: 300_000 })).toBe(false);
  });

  it("with a zero buffer means expired", () => {
    expect(isExpiringSoon({ expiresAt: at(0), now, bufferMs: 0 })).toBe(true);
    expect(isExpiringSoon({ expiresAt: at(1), now, bufferMs: 0 })).toBe(false);
  });

  it("never calls a token without an expiry expiring", () => {
    expect(isExpiringSoon({ expiresAt: null, now, bufferMs: 300_000 })).toBe(false);
  });

  it("uses BACKEND_TOKEN_REFRESH_BUFFER_SECONDS (default 300) when no buffer is given", () => {
    expect(isExpiringSoon({ expiresAt: new Date(Date.now() + 299_000) })).toBe(true);
    expect(isExpiringSoon({ expiresAt: new Date(Date.now() + 310_000) })).toBe(false);
  });
});

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
    expect(MAX_CACHE_TTL_MS).toBe(3_600_000);
    expect(calculateTTL({ expiresAt: at(24 * 3_600_000), now, bufferMs: 300_000 })).toBe(MAX_CACHE_TTL_MS);
    expect(calculateTTL({ expiresAt: null, now, bufferMs: 300_000 })).toBe(MAX_CACHE_TTL_MS);
  });
});
