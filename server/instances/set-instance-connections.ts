import { getDb } from "../db";
import { AppError } from "../errors";
import { publishInstanceChanged } from "../instance-events/publish-instance-changed";
import { getInstanceOrThrow } from "./get-instance-or-throw";
import { type TSetInstanceConnectionsInput, ZSetInstanceConnectionsInput } from "./instance-schemas";

type TSetInstanceConnectionsOptions = TSetInstanceConnectionsInput & { userId: string };

/**
 * Replaces the connections an instance bundles. Each one must be the user's own, in any state: a
 * server not yet connected, or whose grant has lapsed, can be bundled and connected later, and until
 * then the proxy answers its calls with the URL where the user connects it (re_auth_required).
 */
export async function setInstanceConnections({
  userId,
  ...input
}: TSetInstanceConnectionsOptions): Promise<{ connectionIds: string[] }> {
  const { instanceId, connectionIds } = ZSetInstanceConnectionsInput.parse(input);
  const wanted = [...new Set(connectionIds)];
  await getInstanceOrThrow({ userId, instanceId });

  const changed = await getDb().$transaction(async (tx) => {
    const bundled = await tx.mcpInstanceConnection.findMany({
      where: { instanceId },
      select: { userMcpConfigId: true },
    });
    const bundledIds = new Set(bundled.map((link) => link.userMcpConfigId));
    const added = wanted.filter((id) => !bundledIds.has(id));
    const usable = await tx.userMcpConfig.count({ where: { id: { in: added }, userId } });
    if (usable !== added.length) {
      throw new AppError("BAD_REQUEST", {
        message: `instance ${instanceId}: connections not owned by user ${userId}`,
        userMessage:
          "One of the chosen servers cannot be added to this instance. Reload the page and try again.",
      });
    }
    const unbundled = await tx.userMcpConfig.findMany({
      where: { id: { in: [...bundledIds].filter((id) => !wanted.includes(id)) } },
      select: { mcpServerId: true },
    });
    const removed = await tx.mcpInstanceConnection.deleteMany({
      where: { instanceId, userMcpConfigId: { notIn: wanted } },
    });
    // What the instance knew of an unbundled server's tools goes with it: bundled again, the server's
    // tools are first seen (and pinned) anew. (A connection removed with its server elsewhere leaves its
    // rows to the clean-up job's retention rule.)
    await tx.instanceTool.deleteMany({
      where: { instanceId, mcpServerId: { in: unbundled.map((connection) => connection.mcpServerId) } },
    });
    await tx.mcpInstanceConnection.createMany({
      data: added.map((userMcpConfigId) => ({ instanceId, userMcpConfigId })),
      skipDuplicates: true,
    });
    return added.length > 0 || removed.count > 0;
  });
  // Connected clients see other tools, prompts and resources from now on: they are told.
  if (changed) await publishInstanceChanged([instanceId]);
  return { connectionIds: wanted };
}
