import { z } from "zod";
import type { ConnectionStatus } from "../generated/prisma/client";
import { isExpiringSoon } from "./is-expiring-soon";

// What the Tokens page says about one backend connection, derived from the connection and its token
// row. Pure, so the rules are tested without a database.

export const ZBackendTokenStatus = z.enum(["connected", "expiring", "needs_reauth", "error"]);
export type TBackendTokenStatus = z.infer<typeof ZBackendTokenStatus>;

export type TBackendTokenStatusInput = {
  connectionStatus: ConnectionStatus;
  token: {
    isValid: boolean;
    expiresAt: Date | null;
    lastError: string | null;
    hasRefreshToken: boolean;
  } | null;
  now: Date;
  /** BACKEND_TOKEN_REFRESH_BUFFER_SECONDS in ms: the window in which the token manager refreshes. */
  refreshBufferMs: number;
};

/**
 * needs_reauth wins over everything: only the user can fix it, by signing in at the backend again. An
 * access token past its expiry without a refresh token is in the same state (nothing can renew it).
 * A failed refresh that left the grant valid (lastError set, e.g. the AS was down) is an error before
 * it is "expiring", since the next automatic refresh may fail the same way.
 */
export function deriveBackendTokenStatus({
  connectionStatus,
  token,
  now,
  refreshBufferMs,
}: TBackendTokenStatusInput): TBackendTokenStatus {
  if (!token?.isValid) return "needs_reauth";
  if (connectionStatus === "NEEDS_REAUTH" || connectionStatus === "PENDING") return "needs_reauth";
  const isExpired = token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime();
  if (isExpired && !token.hasRefreshToken) return "needs_reauth";
  if (token.lastError || connectionStatus === "ERROR") return "error";
  const isExpiring = isExpiringSoon({
    expiresAt: token.expiresAt,
    now: now.getTime(),
    bufferMs: refreshBufferMs,
  });
  return isExpiring ? "expiring" : "connected";
}
