import { CONNECTION_TOKEN_STATE_QUERY } from "../backends/connection-token-state-query";
import { deriveConnectionState, type TConnectionState } from "../backends/derive-connection-state";
import { getRefreshBufferMs } from "../backends/is-expiring-soon";
import { getDb } from "../db";
import type { McpAuthType } from "../generated/prisma/client";

export type TCatalogServer = {
  serverId: string;
  name: string;
  slug: string;
  description: string | null;
  url: string;
  authType: McpAuthType;
  /** The user's connection to it, if any. */
  connectionId: string | null;
  /** The same state the user's server list shows; not_connected without a connection. */
  state: TConnectionState;
};

/** The servers every user may connect to (no owner), by name, with the user's own connection to each. */
export async function listServerCatalog({ userId }: { userId: string }): Promise<TCatalogServer[]> {
  const servers = await getDb().mcpServer.findMany({
    where: { ownerUserId: null },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      slug: true,
      description: true,
      url: true,
      authType: true,
      connections: {
        where: { userId },
        select: { id: true, status: true, tokens: CONNECTION_TOKEN_STATE_QUERY },
      },
    },
  });
  const now = new Date();
  const refreshBufferMs = getRefreshBufferMs();
  return servers.map((server) => {
    const connection = server.connections[0];
    return {
      serverId: server.id,
      name: server.name,
      slug: server.slug,
      description: server.description,
      url: server.url,
      authType: server.authType,
      connectionId: connection?.id ?? null,
      state: deriveConnectionState({
        authType: server.authType,
        connection: connection ? { status: connection.status, token: connection.tokens[0] ?? null } : null,
        now,
        refreshBufferMs,
      }),
    };
  });
}
