import { getDb } from "../db";
import { AppError } from "../errors";
import { ReAuthRequiredError } from "./re-auth-required-error";

export const BACKEND_TOKEN_PURPOSE = "backend_mcp";

/**
 * The user's backend token for a server, decrypted, with its OAuth client and the server's name and URL.
 * Throws NOT_FOUND when the user has no connection to the server, and ReAuthRequiredError when the
 * connection holds no token (never authorized, or disconnected): connecting is what fixes both.
 */
export async function getStoredBackendTokenOrThrow({
  userId,
  mcpServerId,
}: {
  userId: string;
  mcpServerId: string;
}) {
  const connection = await getDb().userMcpConfig.findUnique({
    where: { userId_mcpServerId: { userId, mcpServerId } },
    include: {
      mcpServer: { select: { id: true, name: true, url: true } },
      tokens: { where: { tokenPurpose: BACKEND_TOKEN_PURPOSE }, include: { oauthClient: true } },
    },
  });
  if (!connection) {
    throw new AppError("NOT_FOUND", {
      message: `user ${userId} has no connection to server ${mcpServerId}`,
      userMessage: "This server is not connected to your account.",
    });
  }
  const [token] = connection.tokens;
  if (!token) {
    throw new ReAuthRequiredError({
      mcpServerId,
      serverName: connection.mcpServer.name,
      reason: "not_connected",
    });
  }
  const { oauthClient: client, ...tokenRow } = token;
  return { connectionId: connection.id, server: connection.mcpServer, token: tokenRow, client };
}

export type TStoredBackendToken = Awaited<ReturnType<typeof getStoredBackendTokenOrThrow>>;
