import { getInstanceResourceUrl } from "../auth/resource-urls";
import { getInstanceScopes } from "../auth/scopes";
import { getDb } from "../db";
import type { ConnectionStatus } from "../generated/prisma/client";

export type TInstanceConnection = {
  connectionId: string;
  serverName: string;
  slug: string;
  status: ConnectionStatus;
};

export type TInstanceSummary = {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  /** The URL an AI client is given: the instance's canonical resource URL. */
  mcpUrl: string;
  /** Every scope the instance offers (`mcp:access:*` first), for API keys and M2M clients. */
  scopes: string[];
  connections: TInstanceConnection[];
};

export async function listInstances({ userId }: { userId: string }): Promise<TInstanceSummary[]> {
  const instances = await getDb().mcpInstance.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: {
      connections: {
        // Belt and braces: set-instance-connections only links the owner's connections.
        where: { connection: { userId } },
        include: { connection: { include: { mcpServer: { select: { name: true, slug: true } } } } },
      },
    },
  });
  return instances.map((instance) => {
    const connections = instance.connections
      .map(({ connection }) => ({
        connectionId: connection.id,
        serverName: connection.mcpServer.name,
        slug: connection.mcpServer.slug,
        status: connection.status,
      }))
      .sort((a, b) => a.slug.localeCompare(b.slug));
    return {
      id: instance.id,
      name: instance.name,
      createdAt: instance.createdAt,
      updatedAt: instance.updatedAt,
      mcpUrl: getInstanceResourceUrl(instance.id),
      scopes: getInstanceScopes(connections.map((connection) => connection.slug)),
      connections,
    };
  });
}
