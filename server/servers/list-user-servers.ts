import { CONNECTION_TOKEN_STATE_QUERY } from "../backends/connection-token-state-query";
import { deriveConnectionState, type TConnectionState } from "../backends/derive-connection-state";
import { getRefreshBufferMs } from "../backends/is-expiring-soon";
import { getDb } from "../db";
import type { McpAuthType } from "../generated/prisma/client";

export type TUserServer = {
  connectionId: string;
  serverId: string;
  name: string;
  slug: string;
  url: string;
  authType: McpAuthType;
  /** The same state the Tokens page shows for this connection. */
  state: TConnectionState;
  /** A server of the catalog (shared by every user) rather than one the user added. */
  isCatalog: boolean;
  connectedAt: Date;
  /** Names of the user's instances that bundle this connection. */
  instanceNames: string[];
};

/** The servers the user is connected to, oldest first. */
export async function listUserServers({ userId }: { userId: string }): Promise<TUserServer[]> {
  const connections = await getDb().userMcpConfig.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      status: true,
      createdAt: true,
      mcpServer: {
        select: { id: true, name: true, slug: true, url: true, authType: true, ownerUserId: true },
      },
      tokens: CONNECTION_TOKEN_STATE_QUERY,
      instances: { where: { instance: { userId } }, select: { instance: { select: { name: true } } } },
    },
  });
  const now = new Date();
  const refreshBufferMs = getRefreshBufferMs();
  return connections.map((connection) => ({
    connectionId: connection.id,
    serverId: connection.mcpServer.id,
    name: connection.mcpServer.name,
    slug: connection.mcpServer.slug,
    url: connection.mcpServer.url,
    authType: connection.mcpServer.authType,
    state: deriveConnectionState({
      authType: connection.mcpServer.authType,
      connection: { status: connection.status, token: connection.tokens[0] ?? null },
      now,
      refreshBufferMs,
    }),
    isCatalog: connection.mcpServer.ownerUserId === null,
    connectedAt: connection.createdAt,
    instanceNames: connection.instances.map(({ instance }) => instance.name).sort(),
  }));
}
