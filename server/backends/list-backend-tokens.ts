import { getDb } from "../db";
import type { TBackendTokenSummary } from "./backend-token-schemas";
import { CONNECTION_TOKEN_STATE_QUERY } from "./connection-token-state-query";
import { deriveConnectionState } from "./derive-connection-state";
import { getRefreshBufferMs } from "./is-expiring-soon";

/**
 * The user's OAuth connections with what Tumiki knows about their backend tokens, oldest first. A
 * connection without a token row (never signed in, or disconnected) is listed too, so it can be
 * connected from here. Token values never leave this function.
 */
export async function listBackendTokens({ userId }: { userId: string }): Promise<TBackendTokenSummary[]> {
  const connections = await getDb().userMcpConfig.findMany({
    where: { userId, mcpServer: { authType: "OAUTH" } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      status: true,
      createdAt: true,
      mcpServer: { select: { id: true, name: true, slug: true, authType: true } },
      tokens: {
        ...CONNECTION_TOKEN_STATE_QUERY,
        select: {
          ...CONNECTION_TOKEN_STATE_QUERY.select,
          scope: true,
          refreshCount: true,
          lastRefreshedAt: true,
          createdAt: true,
        },
      },
    },
  });
  const now = new Date();
  const refreshBufferMs = getRefreshBufferMs();

  return connections.map((connection) => {
    const token = connection.tokens[0] ?? null;
    return {
      serverId: connection.mcpServer.id,
      serverName: connection.mcpServer.name,
      slug: connection.mcpServer.slug,
      state: deriveConnectionState({
        authType: connection.mcpServer.authType,
        connection: { status: connection.status, token },
        now,
        refreshBufferMs,
      }),
      expiresAt: token?.expiresAt ?? null,
      scopes: token?.scope?.split(" ").filter(Boolean) ?? [],
      refreshCount: token?.refreshCount ?? 0,
      lastRefreshedAt: token?.lastRefreshedAt ?? null,
      lastError: token?.lastError ?? null,
      hasToken: token !== null,
      connectedAt: token?.createdAt ?? connection.createdAt,
    };
  });
}
