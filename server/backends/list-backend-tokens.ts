import { getDb } from "../db";
import { deriveBackendTokenStatus, type TBackendTokenStatus } from "./backend-token-status";
import { BACKEND_TOKEN_PURPOSE } from "./get-stored-backend-token-or-throw";
import { getRefreshBufferMs } from "./is-expiring-soon";

export type TBackendTokenSummary = {
  serverId: string;
  serverName: string;
  slug: string;
  status: TBackendTokenStatus;
  expiresAt: Date | null;
  scopes: string[];
  refreshCount: number;
  lastRefreshedAt: Date | null;
  /** A machine-readable code such as "invalid_grant"; the UI words it. */
  lastError: string | null;
  /** False when there is nothing to refresh or disconnect (never authorized, or disconnected). */
  hasToken: boolean;
  hasRefreshToken: boolean;
  connectedAt: Date;
};

/**
 * The user's OAuth connections with what Tumiki knows about their backend tokens, oldest first. A
 * connection without a token row (never completed, or disconnected) is listed as needs_reauth so it
 * can be reconnected. Token values never leave this function.
 */
export async function listBackendTokens({ userId }: { userId: string }): Promise<TBackendTokenSummary[]> {
  const connections = await getDb().userMcpConfig.findMany({
    where: { userId, mcpServer: { authType: "OAUTH" } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      status: true,
      createdAt: true,
      mcpServer: { select: { id: true, name: true, slug: true } },
      tokens: {
        where: { tokenPurpose: BACKEND_TOKEN_PURPOSE },
        // refreshToken is read (decrypted) only to say whether there is one: the encryption extension
        // refuses a filter on ciphertext, so "is not null" cannot be asked of the database.
        select: {
          refreshToken: true,
          expiresAt: true,
          scope: true,
          refreshCount: true,
          lastRefreshedAt: true,
          isValid: true,
          lastError: true,
          createdAt: true,
        },
      },
    },
  });
  const now = new Date();
  const refreshBufferMs = getRefreshBufferMs();

  return connections.map((connection) => {
    const row = connection.tokens[0];
    const token = row
      ? {
          isValid: row.isValid,
          expiresAt: row.expiresAt,
          lastError: row.lastError,
          hasRefreshToken: Boolean(row.refreshToken),
        }
      : null;
    return {
      serverId: connection.mcpServer.id,
      serverName: connection.mcpServer.name,
      slug: connection.mcpServer.slug,
      status: deriveBackendTokenStatus({ connectionStatus: connection.status, token, now, refreshBufferMs }),
      expiresAt: token?.expiresAt ?? null,
      scopes: row?.scope?.split(" ").filter(Boolean) ?? [],
      refreshCount: row?.refreshCount ?? 0,
      lastRefreshedAt: row?.lastRefreshedAt ?? null,
      lastError: token?.lastError ?? null,
      hasToken: token !== null,
      hasRefreshToken: token?.hasRefreshToken ?? false,
      connectedAt: row?.createdAt ?? connection.createdAt,
    };
  });
}
