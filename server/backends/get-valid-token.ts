import { assertStoredTokenValid } from "./assert-stored-token-valid";
import { type TBackendAccessToken, toBackendAccessToken } from "./backend-access-token";
import { cacheToken, readCachedToken } from "./backend-token-cache";
import { getStoredBackendTokenOrThrow } from "./get-stored-backend-token-or-throw";
import { isExpiringSoon } from "./is-expiring-soon";
import { isRefreshBackingOff } from "./is-refresh-backing-off";
import { refreshBackendToken } from "./refresh-backend-token";

/**
 * The access token to call the backend with, for the user's connection to the server (the plan's
 * OAuthTokenManager.getValidToken): Redis cache → database → refresh when it expires within
 * BACKEND_TOKEN_REFRESH_BUFFER_SECONDS, except during the backoff after a failed refresh
 * (is-refresh-backing-off.ts), which serves the current token without asking the AS. Redis is optional:
 * without it every call reads the database. Throws ReAuthRequiredError when the user must connect the
 * server again.
 */
export async function getValidToken({
  userId,
  mcpServerId,
}: {
  userId: string;
  mcpServerId: string;
}): Promise<TBackendAccessToken> {
  // The generation is read with the entry, before the database: see backend-token-cache.ts.
  const cached = await readCachedToken({ userId, mcpServerId });
  if (cached.token) return cached.token;

  const stored = await getStoredBackendTokenOrThrow({ userId, mcpServerId });
  assertStoredTokenValid(stored);
  const { token } = stored;
  const value = toBackendAccessToken(token);
  if (isExpiringSoon({ expiresAt: token.expiresAt })) {
    // Not cached (inside the buffer the TTL is 0): each call reads the row, so it sees the backoff end.
    if (isRefreshBackingOff({ token })) return value;
    return refreshBackendToken({ userId, mcpServerId });
  }

  await cacheToken({ userId, mcpServerId, token: value, generation: cached.generation });
  return value;
}
