import { writeAuditEvent } from "../audit/write-audit-event";
import { discoverBackendAuth } from "../backends/discover-backend-auth";
import { registerBackendClient } from "../backends/register-backend-client";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { type TConnectCatalogServerInput, ZConnectCatalogServerInput } from "./server-schemas";

type TConnectCatalogServerOptions = TConnectCatalogServerInput & { userId: string; origin?: TRequestOrigin };

export type TConnectedCatalogServer = {
  serverId: string;
  connectionId: string;
  /** An OAuth server: the user still has to sign in to it (servers.startAuthorization). */
  needsAuthorization: boolean;
};

/**
 * Connects the user to a catalog server (one without an owner, shared by every user). A server without
 * authentication is connected at once. For an OAuth server Tumiki checks the server again and makes
 * sure it has a client at the current authorization server (one per server and issuer, shared by every
 * user: registerBackendClient reuses it), then leaves the connection PENDING until the user signs in.
 * A user cannot bring their own client credentials here (the schema refuses them): everybody would then
 * sign in through that user's OAuth app. Only the operator configures a catalog server's credentials.
 * Connecting again is harmless: an existing connection is returned as it is.
 */
export async function connectCatalogServer({
  userId,
  origin,
  ...input
}: TConnectCatalogServerOptions): Promise<TConnectedCatalogServer> {
  const { serverId } = ZConnectCatalogServerInput.parse(input);
  const db = getDb();
  const server = await db.mcpServer.findFirst({
    where: { id: serverId, ownerUserId: null },
    select: { id: true, url: true, authType: true },
  });
  if (!server) {
    throw new AppError("NOT_FOUND", {
      message: `catalog server ${serverId} not found`,
      userMessage: "This server is not in the catalog.",
    });
  }
  if (server.authType === "API_KEY") {
    // A key is personal: the catalog would need a form to take it, which only the add form has.
    throw new AppError("BAD_REQUEST", {
      message: `catalog server ${serverId} uses an API key`,
      userMessage: "This server needs your own API key: add it with its URL under “Add a server”.",
    });
  }
  const existing = await db.userMcpConfig.findUnique({
    where: { userId_mcpServerId: { userId, mcpServerId: server.id } },
    select: { id: true, status: true },
  });

  if (server.authType === "NONE") {
    if (existing) return { serverId, connectionId: existing.id, needsAuthorization: false };
    const connection = await db.userMcpConfig.upsert({
      where: { userId_mcpServerId: { userId, mcpServerId: server.id } },
      create: { userId, mcpServerId: server.id, status: "CONNECTED" },
      update: {},
    });
    writeAuditEvent({
      eventType: "backend.connected",
      outcome: "SUCCESS",
      actorUserId: userId,
      mcpServerId: server.id,
      ip: origin?.ip,
      userAgent: origin?.userAgent,
      detail: { authType: "NONE", catalog: true },
    });
    return { serverId, connectionId: connection.id, needsAuthorization: false };
  }

  if (existing?.status === "CONNECTED") {
    return { serverId, connectionId: existing.id, needsAuthorization: false };
  }
  await assertRateLimit("backendOutbound", `user:${userId}`);
  const discovery = await discoverBackendAuth({ url: server.url });
  if (discovery.authType !== "OAUTH" || !discovery.authorizationServer) {
    throw new AppError("UNAVAILABLE", {
      message: `catalog server ${serverId} is OAUTH but discovery found no authorization server`,
      userMessage: "This catalog server no longer asks for a sign-in as expected. Ask your administrator.",
    });
  }
  // Registration first: the catalog server stays whatever happens, so a failure leaves no connection.
  await registerBackendClient({ userId, mcpServerId: server.id, discovery });
  const connection = await db.userMcpConfig.upsert({
    where: { userId_mcpServerId: { userId, mcpServerId: server.id } },
    create: { userId, mcpServerId: server.id, status: "PENDING" },
    update: {},
  });
  return { serverId, connectionId: connection.id, needsAuthorization: connection.status !== "CONNECTED" };
}
