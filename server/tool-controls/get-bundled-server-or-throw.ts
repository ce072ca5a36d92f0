import { getDb } from "../db";
import { AppError } from "../errors";
import { getInstanceOrThrow } from "../instances/get-instance-or-throw";

/**
 * The user's instance and one server it bundles, or NOT_FOUND: another user's instance, a server the
 * instance does not bundle and a server that does not exist all read the same.
 */
export async function getBundledServerOrThrow({
  userId,
  instanceId,
  mcpServerId,
}: {
  userId: string;
  instanceId: string;
  mcpServerId: string;
}) {
  const instance = await getInstanceOrThrow({ userId, instanceId });
  const link = await getDb().mcpInstanceConnection.findFirst({
    where: { instanceId, connection: { userId, mcpServerId } },
    include: { connection: { include: { mcpServer: { select: { id: true, slug: true, name: true } } } } },
  });
  if (!link) {
    throw new AppError("NOT_FOUND", {
      message: `server ${mcpServerId} is not bundled by instance ${instanceId}`,
      userMessage: "This server is not part of this instance. Reload the page and try again.",
    });
  }
  return { instance, link, server: link.connection.mcpServer };
}
