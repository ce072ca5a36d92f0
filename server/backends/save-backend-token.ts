import { getDb } from "../db";
import { isUniqueViolation } from "../is-unique-violation";
import { invalidateCachedToken } from "./backend-token-cache";
import { BACKEND_TOKEN_PURPOSE } from "./get-stored-backend-token-or-throw";
import type { TBackendTokenResponse } from "./request-backend-token";

// Stores the tokens of a fresh backend authorization: the user's connection becomes CONNECTED and its
// one BACKEND_TOKEN_PURPOSE token row is created or replaced (a reconnect starts a new grant: refresh count,
// failure and refresh time reset) in a single transaction, so there is never a CONNECTED connection
// without its token or a token beside a stale status. The cached token is dropped afterwards, so the
// next getValidToken reads the new one.

export async function saveBackendToken({
  userId,
  mcpServerId,
  oauthClientId,
  token,
  requestedScope,
  now = new Date(),
}: {
  userId: string;
  mcpServerId: string;
  oauthClientId: string;
  token: TBackendTokenResponse;
  /** RFC 6749 §5.1: a response without `scope` granted the scope that was requested. */
  requestedScope: string | null;
  now?: Date;
}): Promise<void> {
  const db = getDb();
  const data = {
    oauthClientId,
    accessToken: token.accessToken,
    refreshToken: token.refreshToken ?? null,
    tokenType: token.tokenType,
    expiresAt: token.expiresIn === undefined ? null : new Date(now.getTime() + token.expiresIn * 1000),
    scope: token.scope ?? requestedScope,
    isValid: true,
    lastError: null,
    refreshCount: 0,
    lastRefreshedAt: null,
  };
  const write = () =>
    db.$transaction(async (tx) => {
      const connection = await tx.userMcpConfig.upsert({
        where: { userId_mcpServerId: { userId, mcpServerId } },
        create: { userId, mcpServerId, status: "CONNECTED" },
        update: { status: "CONNECTED" },
        select: { id: true },
      });
      const existing = await tx.oAuthToken.findUnique({
        where: {
          userMcpConfigId_tokenPurpose: {
            userMcpConfigId: connection.id,
            tokenPurpose: BACKEND_TOKEN_PURPOSE,
          },
        },
        select: { id: true },
      });
      // Encrypted fields are bound to the row id, so the row is updated by id rather than upserted.
      if (existing) {
        await tx.oAuthToken.update({ where: { id: existing.id }, data });
      } else {
        await tx.oAuthToken.create({
          data: { ...data, userMcpConfigId: connection.id, tokenPurpose: BACKEND_TOKEN_PURPOSE },
        });
      }
    });
  try {
    await write();
  } catch (error) {
    // Two authorizations of the same connection finishing at once: the loser creates the row second,
    // and on retry finds it and replaces it.
    if (!isUniqueViolation(error)) throw error;
    await write();
  }
  await invalidateCachedToken({ userId, mcpServerId });
}
