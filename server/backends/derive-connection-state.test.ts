import { describe, expect, it } from "vitest";
import { deriveConnectionState, type TConnectionStateInput } from "./derive-connection-state";

const now = new Date("2026-01-01T12:00:00.000Z");
const refreshBufferMs = 300_000;
const inMs = (ms: number) => new Date(now.getTime() + ms);
const healthy = { isValid: true, expiresAt: inMs(3_600_000), lastError: null, refreshToken: "refresh-value" };
type TConnection = NonNullable<TConnectionStateInput["connection"]>;

function derive(
  connection: Partial<TConnection> | null = {},
  authType: TConnectionStateInput["authType"] = "OAUTH",
) {
  return deriveConnectionState({
    authType,
    connection: connection && { status: "CONNECTED", token: healthy, ...connection },
    now,
    refreshBufferMs,
  });
}

const connected = { status: "connected", action: null, canRefresh: true };
const notConnected = { status: "not_connected", action: "connect", canRefresh: false };
const needsReauth = { status: "needs_reauth", action: "reconnect", canRefresh: false };

describe("deriveConnectionState", () => {
  it("is connected with a valid token outside the refresh buffer, or without expiry", () => {
    expect(derive()).toEqual(connected);
    expect(derive({ token: { ...healthy, expiresAt: null } })).toEqual(connected);
    expect(derive({ token: { ...healthy, expiresAt: inMs(refreshBufferMs + 1) } })).toEqual(connected);
  });

  it("is expiring within the buffer", () => {
    const expiring = { status: "expiring", action: null, canRefresh: true };
    expect(derive({ token: { ...healthy, expiresAt: inMs(refreshBufferMs) } })).toEqual(expiring);
    expect(derive({ token: { ...healthy, expiresAt: inMs(1) } })).toEqual(expiring);
  });

  it("is expired, not expiring, past expiry while a refresh token can renew it on the next use", () => {
    const expired = { status: "expired", action: null, canRefresh: true };
    expect(derive({ token: { ...healthy, expiresAt: now } })).toEqual(expired);
    expect(derive({ token: { ...healthy, expiresAt: inMs(-86_400_000) } })).toEqual(expired);
  });

  it("offers a refresh only with a refresh token", () => {
    expect(derive({ token: { ...healthy, refreshToken: null } })).toEqual({
      ...connected,
      canRefresh: false,
    });
  });

  it("asks for a first sign-in when there is no connection or no token (never signed in, disconnected, declined)", () => {
    expect(derive(null)).toEqual(notConnected);
    expect(derive(null, "NONE")).toEqual(notConnected);
    expect(derive({ status: "PENDING", token: null })).toEqual(notConnected);
    expect(derive({ status: "CONNECTED", token: null })).toEqual(notConnected);
    expect(derive({ status: "ERROR", token: null })).toEqual(notConnected);
  });

  it("needs re-auth with an invalid token, a connection marked for it, or an expired token nothing can renew", () => {
    expect(derive({ status: "NEEDS_REAUTH", token: null })).toEqual(needsReauth);
    expect(derive({ status: "NEEDS_REAUTH" })).toEqual(needsReauth);
    expect(derive({ status: "PENDING" })).toEqual(needsReauth);
    expect(derive({ token: { ...healthy, isValid: false, lastError: "invalid_grant" } })).toEqual(
      needsReauth,
    );
    expect(derive({ token: { ...healthy, expiresAt: inMs(-1_000), refreshToken: null } })).toEqual(
      needsReauth,
    );
  });

  it("is an error when a refresh failed but the grant is still valid, even when expiring", () => {
    const error = { status: "error", action: "reconnect", canRefresh: true };
    expect(derive({ token: { ...healthy, lastError: "temporarily_unavailable" } })).toEqual(error);
    expect(derive({ token: { ...healthy, lastError: "timeout", expiresAt: inMs(1_000) } })).toEqual(error);
    expect(derive({ status: "ERROR" })).toEqual(error);
    expect(derive({ token: { ...healthy, lastError: "server_error", refreshToken: null } })).toEqual({
      ...error,
      canRefresh: false,
    });
  });

  it("has nothing to sign in to or refresh for a server without OAuth", () => {
    expect(derive({ token: null }, "NONE")).toEqual({ status: "connected", action: null, canRefresh: false });
    expect(derive({ token: null }, "API_KEY")).toEqual({
      status: "connected",
      action: null,
      canRefresh: false,
    });
    expect(derive({ status: "ERROR", token: null }, "API_KEY")).toEqual({
      status: "error",
      action: null,
      canRefresh: false,
    });
  });
});
