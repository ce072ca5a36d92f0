import { describe, expect, it } from "vitest";
import { deriveBackendTokenStatus, type TBackendTokenStatusInput } from "./backend-token-status";

const now = new Date("2026-01-01T12:00:00.000Z");
const refreshBufferMs = 300_000;
const inMs = (ms: number) => new Date(now.getTime() + ms);
const healthy = { isValid: true, expiresAt: inMs(3_600_000), lastError: null, hasRefreshToken: true };

function derive(overrides: Partial<TBackendTokenStatusInput> = {}) {
  return deriveBackendTokenStatus({
    connectionStatus: "CONNECTED",
    token: healthy,
    now,
    refreshBufferMs,
    ...overrides,
  });
}

describe("deriveBackendTokenStatus", () => {
  it("is connected with a valid token outside the refresh buffer, or without expiry", () => {
    expect(derive()).toBe("connected");
    expect(derive({ token: { ...healthy, expiresAt: null } })).toBe("connected");
    expect(derive({ token: { ...healthy, expiresAt: inMs(refreshBufferMs + 1) } })).toBe("connected");
  });

  it("is expiring within the buffer, and past expiry while a refresh token can renew it", () => {
    expect(derive({ token: { ...healthy, expiresAt: inMs(refreshBufferMs) } })).toBe("expiring");
    expect(derive({ token: { ...healthy, expiresAt: inMs(-1_000) } })).toBe("expiring");
  });

  it("needs re-auth without a token, with an invalid one, or with a connection waiting for sign-in", () => {
    expect(derive({ token: null })).toBe("needs_reauth");
    expect(derive({ token: { ...healthy, isValid: false, lastError: "invalid_grant" } })).toBe(
      "needs_reauth",
    );
    expect(derive({ connectionStatus: "NEEDS_REAUTH" })).toBe("needs_reauth");
    expect(derive({ connectionStatus: "PENDING" })).toBe("needs_reauth");
    expect(derive({ token: { ...healthy, expiresAt: inMs(-1_000), hasRefreshToken: false } })).toBe(
      "needs_reauth",
    );
  });

  it("is an error when a refresh failed but the grant is still valid, even when expiring", () => {
    expect(derive({ token: { ...healthy, lastError: "temporarily_unavailable" } })).toBe("error");
    expect(derive({ token: { ...healthy, lastError: "timeout", expiresAt: inMs(1_000) } })).toBe("error");
    expect(derive({ connectionStatus: "ERROR" })).toBe("error");
  });
});
