import { z } from "zod";
import type { ConnectionStatus, McpAuthType } from "../generated/prisma/client";
import { isExpiringSoon } from "./is-expiring-soon";

// What every page says about one of the user's connections (Servers, catalog, Tokens), and what the
// user can do about it. Derived here only, so the pages cannot disagree; pure, so the rules are tested
// without a database.

export const ZConnectionStatus = z.enum([
  "connected",
  "expiring",
  "expired",
  "not_connected",
  "needs_reauth",
  "error",
]);
export type TConnectionStatus = z.infer<typeof ZConnectionStatus>;

export const ZConnectionState = z.object({
  status: ZConnectionStatus,
  /** The sign-in the user can start: a first one, or a new one after the grant ended; null when none helps. */
  action: z.enum(["connect", "reconnect"]).nullable(),
  /** "Refresh now" can work: a grant Tumiki can still renew with a refresh token. */
  canRefresh: z.boolean(),
});
export type TConnectionState = z.infer<typeof ZConnectionState>;

export type TConnectionStateInput = {
  authType: McpAuthType;
  /** The user's connection; null when they have none (a catalog server they have not connected). */
  connection: {
    status: ConnectionStatus;
    /** The backend token row (OAuth only, CONNECTION_TOKEN_STATE_QUERY); null when there is none. */
    token: {
      isValid: boolean;
      expiresAt: Date | null;
      lastError: string | null;
      refreshToken: string | null;
    } | null;
  } | null;
  now: Date;
  /** BACKEND_TOKEN_REFRESH_BUFFER_SECONDS in ms: the window in which the token manager refreshes. */
  refreshBufferMs: number;
};

const NOT_CONNECTED: TConnectionState = { status: "not_connected", action: "connect", canRefresh: false };
const NEEDS_REAUTH: TConnectionState = { status: "needs_reauth", action: "reconnect", canRefresh: false };

/**
 * An OAuth connection without a token was never signed in to, was disconnected, or its sign-in was
 * declined: it needs a first sign-in ("Connect"), unless the token manager marked it NEEDS_REAUTH.
 * needs_reauth wins over the rest: only the user can fix it by signing in again. An access token past
 * its expiry without a refresh token is in that state too (nothing can renew it). A failed refresh that
 * left the grant valid (lastError set, e.g. the AS was down) is an error before it is "expiring", since
 * the next automatic refresh may fail the same way. An expired token with a refresh token is "expired",
 * not "expiring": the token manager renews it on the next use, so nothing is asked of the user. Servers
 * without OAuth have nothing to sign in to.
 */
export function deriveConnectionState({
  authType,
  connection,
  now,
  refreshBufferMs,
}: TConnectionStateInput): TConnectionState {
  if (!connection) return NOT_CONNECTED;
  if (authType !== "OAUTH") {
    return {
      status: connection.status === "CONNECTED" ? "connected" : "error",
      action: null,
      canRefresh: false,
    };
  }
  const { status, token } = connection;
  if (!token) return status === "NEEDS_REAUTH" ? NEEDS_REAUTH : NOT_CONNECTED;
  if (!token.isValid || status === "NEEDS_REAUTH" || status === "PENDING") return NEEDS_REAUTH;
  const isExpired = token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime();
  const canRefresh = token.refreshToken !== null;
  if (isExpired && !canRefresh) return NEEDS_REAUTH;
  // Signing in again may get past what a refresh cannot, so both are offered.
  if (token.lastError || status === "ERROR") return { status: "error", action: "reconnect", canRefresh };
  if (isExpired) return { status: "expired", action: null, canRefresh };
  const isExpiring = isExpiringSoon({
    expiresAt: token.expiresAt,
    now: now.getTime(),
    bufferMs: refreshBufferMs,
  });
  return { status: isExpiring ? "expiring" : "connected", action: null, canRefresh };
}
