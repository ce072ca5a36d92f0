import { getDb } from "../db";
import { AppError } from "../errors";
import { getInstanceOrThrow } from "./get-instance-or-throw";
import { type TSetInstanceConnectionsInput, ZSetInstanceConnectionsInput } from "./instance-schemas";

type TSetInstanceConnectionsOptions = TSetInstanceConnectionsInput & { userId: string };

/**
 * Replaces the connections an instance bundles. A connection newly added must be the user's own and,
 * until Tumiki can sign in to backends (tier 2), connected to a server without authentication: anything
 * else would put a server in the instance that the proxy cannot reach on the user's behalf. A connection
 * already bundled may be kept or removed whatever its status now, so an instance whose server later
 * needs sign-in or fails can still be saved.
 */
export async function setInstanceConnections({
  userId,
  ...input
}: TSetInstanceConnectionsOptions): Promise<{ connectionIds: string[] }> {
  const { instanceId, connectionIds } = ZSetInstanceConnectionsInput.parse(input);
  const wanted = [...new Set(connectionIds)];
  await getInstanceOrThrow({ userId, instanceId });

  await getDb().$transaction(async (tx) => {
    const bundled = await tx.mcpInstanceConnection.findMany({
      where: { instanceId },
      select: { userMcpConfigId: true },
    });
    const bundledIds = new Set(bundled.map((link) => link.userMcpConfigId));
    const added = wanted.filter((id) => !bundledIds.has(id));
    const usable = await tx.userMcpConfig.count({
      where: { id: { in: added }, userId, status: "CONNECTED", mcpServer: { authType: "NONE" } },
    });
    if (usable !== added.length) {
      throw new AppError("BAD_REQUEST", {
        message: `instance ${instanceId}: connections not usable by user ${userId}`,
        userMessage:
          "One of the chosen servers cannot be added to this instance. Reload the page and try again.",
      });
    }
    await tx.mcpInstanceConnection.deleteMany({ where: { instanceId, userMcpConfigId: { notIn: wanted } } });
    await tx.mcpInstanceConnection.createMany({
      data: added.map((userMcpConfigId) => ({ instanceId, userMcpConfigId })),
      skipDuplicates: true,
    });
  });
  return { connectionIds: wanted };
}
