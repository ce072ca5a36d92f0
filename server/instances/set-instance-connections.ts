import { getDb } from "../db";
import { AppError } from "../errors";
import { getInstanceOrThrow } from "./get-instance-or-throw";
import { type TSetInstanceConnectionsInput, ZSetInstanceConnectionsInput } from "./instance-schemas";

type TSetInstanceConnectionsOptions = TSetInstanceConnectionsInput & { userId: string };

/**
 * Replaces the connections an instance bundles. Only the user's own connections qualify, and until
 * Tumiki can sign in to backends (tier 2) only connected servers without authentication: anything else
 * would put a server in the instance that the proxy cannot reach on the user's behalf.
 */
export async function setInstanceConnections({
  userId,
  ...input
}: TSetInstanceConnectionsOptions): Promise<{ connectionIds: string[] }> {
  const { instanceId, connectionIds } = ZSetInstanceConnectionsInput.parse(input);
  const wanted = [...new Set(connectionIds)];
  await getInstanceOrThrow({ userId, instanceId });

  const db = getDb();
  const usable = await db.userMcpConfig.findMany({
    where: { id: { in: wanted }, userId, status: "CONNECTED", mcpServer: { authType: "NONE" } },
    select: { id: true },
  });
  if (usable.length !== wanted.length) {
    throw new AppError("BAD_REQUEST", {
      message: `instance ${instanceId}: connections not usable by user ${userId}`,
      userMessage:
        "One of the chosen servers cannot be added to this instance. Reload the page and try again.",
    });
  }

  await db.$transaction([
    db.mcpInstanceConnection.deleteMany({ where: { instanceId, userMcpConfigId: { notIn: wanted } } }),
    db.mcpInstanceConnection.createMany({
      data: wanted.map((userMcpConfigId) => ({ instanceId, userMcpConfigId })),
      skipDuplicates: true,
    }),
  ]);
  return { connectionIds: wanted };
}
