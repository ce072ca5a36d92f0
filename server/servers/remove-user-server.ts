import { writeAuditEvent } from "../audit/write-audit-event";
import { disconnectBackend } from "../backends/disconnect-backend";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { publishInstanceChanged } from "../instance-events/publish-instance-changed";

type TRemoveUserServerOptions = { userId: string; connectionId: string; origin?: TRequestOrigin };

/**
 * Disconnects the user from a server and drops it from their instances. A private server the user
 * added goes too (nobody else can use it); a catalog server stays for other users.
 */
export async function removeUserServer({
  userId,
  connectionId,
  origin,
}: TRemoveUserServerOptions): Promise<void> {
  const db = getDb();
  const connection = await db.userMcpConfig.findFirst({
    where: { id: connectionId, userId },
    include: { mcpServer: { select: { id: true, ownerUserId: true, authType: true } } },
  });
  if (!connection) {
    throw new AppError("NOT_FOUND", {
      message: `connection ${connectionId} not found for user ${userId}`,
      userMessage: "This server is not connected to your account.",
    });
  }
  const server = connection.mcpServer;
  const bundledIn = await db.mcpInstanceConnection.findMany({
    where: { userMcpConfigId: connection.id },
    select: { instanceId: true },
  });
  // The cascade below would drop an OAuth grant's tokens without revoking them at the backend, and
  // leave the cached access token serving: disconnecting first does both (and writes the audit event).
  const isOAuth = server.authType === "OAUTH";
  if (isOAuth) await disconnectBackend({ userId, mcpServerId: server.id, origin });
  // Deleting the server cascades to its connection and instance links; otherwise the connection's
  // deletion cascades to the links.
  if (server.ownerUserId === userId) {
    await db.mcpServer.deleteMany({ where: { id: server.id, ownerUserId: userId } });
  } else {
    await db.userMcpConfig.deleteMany({ where: { id: connection.id, userId } });
  }
  // Clients connected to the instances that bundled it no longer see its tools: they are told.
  await publishInstanceChanged(bundledIn.map((link) => link.instanceId));
  if (isOAuth) return;
  writeAuditEvent({
    eventType: "backend.disconnected",
    outcome: "SUCCESS",
    actorUserId: userId,
    mcpServerId: server.id,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
  });
}
