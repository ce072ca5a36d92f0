import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { getLogger } from "../logger";
import { BackendRevocationError } from "./backend-revocation-error";
import { invalidateCachedToken } from "./backend-token-cache";
import { BACKEND_TOKEN_PURPOSE } from "./get-stored-backend-token-or-throw";
import { revokeBackendToken } from "./revoke-backend-token";
import { withRefreshLock } from "./with-refresh-lock";

type TDisconnectBackendOptions = { userId: string; mcpServerId: string; origin?: TRequestOrigin };

/**
 * Ends the user's grant at an OAuth backend and forgets its tokens. The connection stays (PENDING), in
 * every instance that bundles it, so Reconnect restores it as it was.
 *
 * The backend is asked to revoke first, while the token values are still at hand: should the process
 * die between the two steps, a revoked token left locally just turns into "needs re-auth", whereas a
 * token deleted locally first could never be revoked any more. A revocation that fails (no endpoint,
 * the AS down or refusing) does not stop the local disconnect; `revokedAtBackend` reports it.
 * Revocation, deletion and cache invalidation run under the connection's refresh lock.
 */
export async function disconnectBackend({
  userId,
  mcpServerId,
  origin,
}: TDisconnectBackendOptions): Promise<{ revokedAtBackend: boolean }> {
  // Under the refresh lock: a refresh running meanwhile could otherwise obtain a new refresh token
  // after the old one was read here, and it would be deleted below without ever being revoked.
  const revokedAtBackend = await withRefreshLock({
    userId,
    mcpServerId,
    run: async () => {
      const db = getDb();
      const connection = await db.userMcpConfig.findFirst({
        where: { userId, mcpServerId, mcpServer: { authType: "OAUTH" } },
        select: {
          id: true,
          tokens: { where: { tokenPurpose: BACKEND_TOKEN_PURPOSE }, include: { oauthClient: true } },
        },
      });
      if (!connection) {
        throw new AppError("NOT_FOUND", {
          message: `no OAuth connection to server ${mcpServerId} for user ${userId}`,
          userMessage: "This server is not connected to your account.",
        });
      }
      const token = connection.tokens[0];
      const revoked = token?.oauthClient.revocationEndpoint
        ? await revokeAtBackend({ token, mcpServerId })
        : false;
      await db.$transaction([
        db.oAuthToken.deleteMany({ where: { userMcpConfigId: connection.id } }),
        db.userMcpConfig.updateMany({ where: { id: connection.id, userId }, data: { status: "PENDING" } }),
      ]);
      await invalidateCachedToken({ userId, mcpServerId });
      return revoked;
    },
  });

  writeAuditEvent({
    eventType: "backend.disconnected",
    outcome: "SUCCESS",
    actorUserId: userId,
    mcpServerId,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    detail: { revokedAtBackend },
  });
  return { revokedAtBackend };
}

type TStoredToken = {
  accessToken: string;
  refreshToken: string | null;
  oauthClient: Parameters<typeof revokeBackendToken>[0]["client"];
};

/**
 * Revokes the refresh token first (at most authorization servers that ends the whole grant, its access
 * tokens included), then the access token for those that do not. True only when every revocation the
 * AS was asked for succeeded.
 */
async function revokeAtBackend({
  token,
  mcpServerId,
}: {
  token: TStoredToken;
  mcpServerId: string;
}): Promise<boolean> {
  const requests = [
    ...(token.refreshToken ? [{ value: token.refreshToken, hint: "refresh_token" as const }] : []),
    { value: token.accessToken, hint: "access_token" as const },
  ];
  let isEveryRevocationDone = true;
  for (const request of requests) {
    try {
      await revokeBackendToken({
        client: token.oauthClient,
        token: request.value,
        tokenTypeHint: request.hint,
      });
    } catch (error) {
      isEveryRevocationDone = false;
      // The reason is a code or an HTTP status, never a token.
      getLogger().warn(
        {
          mcpServerId,
          tokenTypeHint: request.hint,
          reason: error instanceof BackendRevocationError ? error.reason : "unexpected_error",
        },
        "backend token revocation failed; disconnecting locally anyway",
      );
    }
  }
  return isEveryRevocationDone;
}
