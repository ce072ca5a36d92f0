import { AppError } from "../errors";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { getStoredBackendTokenOrThrow } from "./get-stored-backend-token-or-throw";
import { refreshBackendToken } from "./refresh-backend-token";

/**
 * "Refresh now" on the Tokens page: a forced refresh of the user's own connection, limited per user.
 * Resolves only what the page shows; the new token stays on the server. Throws NOT_FOUND for a server
 * the user is not connected to, ReAuthRequiredError when the grant is gone (its userMessage says to
 * reconnect), and UNAVAILABLE when the authorization server did not refresh: the token manager then
 * keeps serving the current token, which is right for the proxy but is not what the user asked for.
 */
export async function refreshBackendTokenNow({
  userId,
  mcpServerId,
}: {
  userId: string;
  mcpServerId: string;
}): Promise<{ expiresAt: Date | null }> {
  const before = await getStoredBackendTokenOrThrow({ userId, mcpServerId });
  await assertRateLimit("backendTokenRefreshNow", `user:${userId}`);
  const token = await refreshBackendToken({ userId, mcpServerId, force: true });
  if (token.accessToken === before.token.accessToken) {
    throw new AppError("UNAVAILABLE", {
      message: `forced refresh of the token for server ${mcpServerId} kept the current token`,
      userMessage: `${before.server.name} could not refresh its token now; the current one keeps working until it expires. Try again shortly.`,
    });
  }
  return { expiresAt: token.expiresAt };
}
