import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
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

  describe("without a buffer given", () => {
    const saved = process.env.BACKEND_TOKEN_REFRESH_BUFFER_SECONDS;
    afterEach(() => {
      if (saved === undefined) delete process.env.BACKEND_TOKEN_REFRESH_BUFFER_SECONDS;
      else process.env.BACKEND_TOKEN_REFRESH_BUFFER_SECONDS = saved;
      resetEnvCache();
    });

    it("uses BACKEND_TOKEN_REFRESH_BUFFER_SECONDS", () => {
      process.env.BACKEND_TOKEN_REFRESH_BUFFER_SECONDS = "120";
      resetEnvCache();
      expect(isExpiringSoon({ expiresAt: new Date(Date.now() + 119_000) })).toBe(true);
      expect(isExpiringSoon({ expiresAt: new Date(Date.now() + 125_000) })).toBe(false);
    });

    it("defaults to 300 seconds", () => {
      delete process.env.BACKEND_TOKEN_REFRESH_BUFFER_SECONDS;
      resetEnvCache();
      expect(isExpiringSoon({ expiresAt: new Date(Date.now() + 299_000) })).toBe(true);
      expect(isExpiringSoon({ expiresAt: new Date(Date.now() + 310_000) })).toBe(false);
    });
  });
});
