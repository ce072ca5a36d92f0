import { getDb } from "../db";
import type { ConnectionStatus, McpAuthType } from "../generated/prisma/client";

export type TUserServer = {
  connectionId: string;
  serverId: string;
  name: string;
  slug: string;
  url: string;
  authType: McpAuthType;
  status: ConnectionStatus;
  /** An OAuth server the user has not signed in to yet, or whose grant ended (Connect / Reconnect). */
  needsAuthorization: boolean;
  /** A server of the catalog (shared by every user) rather than one the user added. */
  isCatalog: boolean;
  connectedAt: Date;
  /** Names of the user's instances that bundle this connection. */
  instanceNames: string[];
};

const NEEDS_AUTHORIZATION: ReadonlySet<ConnectionStatus> = new Set(["PENDING", "NEEDS_REAUTH"]);

/** The servers the user is connected to, oldest first. */
export async function listUserServers({ userId }: { userId: string }): Promise<TUserServer[]> {
  const connections = await getDb().userMcpConfig.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: {
      mcpServer: {
        select: { id: true, name: true, slug: true, url: true, authType: true, ownerUserId: true },
      },
      instances: { where: { instance: { userId } }, include: { instance: { select: { name: true } } } },
    },
  });
  return connections.map((connection) => ({
    connectionId: connection.id,
    serverId: connection.mcpServer.id,
    name: connection.mcpServer.name,
    slug: connection.mcpServer.slug,
    url: connection.mcpServer.url,
    authType: connection.mcpServer.authType,
    status: connection.status,
    needsAuthorization:
      connection.mcpServer.authType === "OAUTH" && NEEDS_AUTHORIZATION.has(connection.status),
    isCatalog: connection.mcpServer.ownerUserId === null,
    connectedAt: connection.createdAt,
    instanceNames: connection.instances.map(({ instance }) => instance.name).sort(),
  }));
}
