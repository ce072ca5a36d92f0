import { getDb } from "../db";
import { isInstanceId } from "./resource-urls";
import { getInstanceScopes } from "./scopes";

// An instance and the scopes it offers: `mcp:access:*` and one `mcp:access:<slug>` per server bundled
// in it (McpInstance → McpInstanceConnection → UserMcpConfig → McpServer). Used by the instance's
// protected-resource metadata and by /oauth/authorize, which must agree on what can be asked for.

export type TInstanceServer = { slug: string; name: string };

export type TInstanceScopes = {
  instance: { id: string; userId: string; name: string };
  /** The bundled servers, sorted by slug (the consent page names them). */
  servers: TInstanceServer[];
  scopes: string[];
};

/** The instance with its scopes, or null when the id is malformed, unknown, or (given userId) not theirs. */
export async function resolveInstanceScopes({
  instanceId,
  userId,
}: {
  instanceId: string;
  userId?: string;
}): Promise<TInstanceScopes | null> {
  // Anything that is not an instance id names no instance and costs no query.
  if (!isInstanceId(instanceId)) return null;
  const instance = await getDb().mcpInstance.findUnique({
    where: { id: instanceId },
    select: {
      id: true,
      userId: true,
      name: true,
      connections: {
        select: { connection: { select: { mcpServer: { select: { slug: true, name: true } } } } },
      },
    },
  });
  if (!instance || (userId !== undefined && instance.userId !== userId)) return null;
  const servers = instance.connections
    .map(({ connection }) => connection.mcpServer)
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  return {
    instance: { id: instance.id, userId: instance.userId, name: instance.name },
    servers,
    scopes: getInstanceScopes(servers.map((server) => server.slug)),
  };
}
