import { writeAuditEvent } from "../audit/write-audit-event";
import { discoverBackendAuth } from "../backends/discover-backend-auth";
import { registerBackendClient } from "../backends/register-backend-client";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { getLogger } from "../logger";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { assertApiKeyAccepted } from "./assert-api-key-accepted";
import { createServerConnection, type TCreatedServerConnection } from "./create-server-connection";
import { type TAddServerInput, ZAddServerInput } from "./server-schemas";

type TAddServerOptions = TAddServerInput & { userId: string; origin?: TRequestOrigin };

export type TAddedServer = TCreatedServerConnection & {
  /** An OAuth server: the user still has to sign in to it (servers.startAuthorization). */
  needsAuthorization: boolean;
};

const MAX_NAME_LENGTH = 80;

/**
 * Adds a private server of the user and connects them to it. Whatever the form showed, the server is
 * checked again here, since the browser's discovery result cannot be trusted:
 * - "none": discovery must find no authorization; the connection is CONNECTED at once;
 * - "api_key": an MCP `initialize` carrying the key must succeed, so a wrong key is refused now rather
 *   than at the first tool call; the key is stored encrypted and the connection is CONNECTED;
 * - "oauth": discovery must find an authorization server, Tumiki registers with it as a client, and the
 *   connection stays PENDING until the user signs in (needsAuthorization).
 * Every path contacts a URL the user chose, so it counts against the `backendOutbound` limit.
 */
export async function addServer({ userId, origin, ...input }: TAddServerOptions): Promise<TAddedServer> {
  const { url, auth, ...parsed } = ZAddServerInput.parse(input);
  const name = parsed.name ?? new URL(url).host.slice(0, MAX_NAME_LENGTH);
  await assertRateLimit("backendOutbound", `user:${userId}`);

  if (auth.type === "oauth") {
    const discovery = await discoverBackendAuth({ url });
    if (discovery.authType !== "OAUTH") {
      throw new AppError("BAD_REQUEST", {
        message: "OAuth add of a server without authorization",
        userMessage: "This server does not ask for a sign-in. Add it without authentication.",
      });
    }
    const created = await createServerConnection({ userId, name, url, authType: "OAUTH", status: "PENDING" });
    // Registration needs the server's row (the client belongs to it) and talks to the authorization
    // server, which must not happen inside a database transaction. So the server is created first and
    // deleted again (with its connection, by cascade) when registration fails: a failed add leaves
    // nothing the user would have to clean up.
    try {
      await registerBackendClient({
        userId,
        mcpServerId: created.serverId,
        discovery,
        preRegistered: auth.preRegistered,
      });
    } catch (error) {
      await getDb()
        .mcpServer.deleteMany({ where: { id: created.serverId, ownerUserId: userId } })
        .catch((cleanupError: unknown) =>
          getLogger().error(
            { err: cleanupError, mcpServerId: created.serverId },
            "could not delete a server whose client registration failed",
          ),
        );
      throw error;
    }
    return { ...created, needsAuthorization: true };
  }

  if (auth.type === "none") {
    const discovery = await discoverBackendAuth({ url });
    if (discovery.authType !== "NONE") {
      throw new AppError("BAD_REQUEST", {
        message: "unauthenticated add of a server that asks for OAuth",
        userMessage: "This server asks for a sign-in (OAuth). Choose OAuth to connect it.",
      });
    }
  } else {
    await assertApiKeyAccepted({ url, headerName: auth.headerName, apiKey: auth.apiKey });
  }

  const authType = auth.type === "none" ? "NONE" : "API_KEY";
  const created = await createServerConnection({
    userId,
    name,
    url,
    authType,
    status: "CONNECTED",
    apiKey: auth.type === "api_key" ? { headerName: auth.headerName, value: auth.apiKey } : undefined,
  });
  writeAuditEvent({
    eventType: "backend.connected",
    outcome: "SUCCESS",
    actorUserId: userId,
    mcpServerId: created.serverId,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    detail: { authType, slug: created.slug },
  });
  return { ...created, needsAuthorization: false };
}
