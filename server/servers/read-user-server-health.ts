import type { TBackendHealthMap } from "../backend-health/backend-health-schemas";
import { readBackendHealth } from "../backend-health/read-backend-health";
import { getDb } from "../db";

// The health of the servers the user is connected to (the Servers page, the instance page, the
// dashboard home), by McpServer id. Health is shared by every user of a server, but only the user's
// own servers are read: another server's id, or that it exists, is not theirs to learn.

export async function readUserServerHealth({ userId }: { userId: string }): Promise<TBackendHealthMap> {
  const connections = await getDb().userMcpConfig.findMany({
    where: { userId },
    select: { mcpServerId: true },
  });
  return readBackendHealth({ mcpServerIds: connections.map((connection) => connection.mcpServerId) });
}
