import { randomBytes } from "node:crypto";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { OAuthClient } from "../generated/prisma/client";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { BackendTokenError } from "./backend-token-error";
import { discoverBackendAuth } from "./discover-backend-auth";
import { getBackendRedirectUri } from "./get-backend-redirect-uri";
import { BACKEND_TOKEN_PURPOSE } from "./get-stored-backend-token-or-throw";
import { getVisibleServerOrThrow } from "./get-visible-server-or-throw";
import { registerBackendClient } from "./register-backend-client";
import { requestBackendToken } from "./request-backend-token";
import { startBackendAuthorization } from "./start-backend-authorization";

// "Connect" and "Reconnect" in the dashboard. A stored registration may have stopped working since it
// was made: the server moved to another authorization server, Tumiki's address (APP_URL) changed, a DCR
// secret expired, or the AS deleted the client (refreshes then fail with invalid_client). So every start
// discovers the server again and lets registerBackendClient reuse the registration or register afresh,
// then starts the flow with exactly that registration.

/** Token-endpoint errors that say the AS no longer accepts the client itself (RFC 6749 §5.2). */
const CLIENT_REJECTED_ERRORS = new Set(["invalid_client", "unauthorized_client"]);

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether the AS still rejects this client, asked with a refresh grant it cannot know: the AS
 * authenticates the client before it looks at the grant, so a live client gets invalid_grant. Asked
 * rather than taken from the token's old lastError: a catalog server's row is shared, and another
 * user's Reconnect may already have registered it again; registering once more would end every grant of
 * the new client. An AS that cannot be reached is not taken as a rejection.
 */
async function isClientRejected(client: OAuthClient): Promise<boolean> {
  try {
    await requestBackendToken({
      client,
      params: { grant_type: "refresh_token", refresh_token: randomBytes(32).toString("base64url") },
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    return false;
  } catch (error) {
    if (!(error instanceof BackendTokenError)) throw error;
    return error.oauthError !== undefined && CLIENT_REJECTED_ERRORS.has(error.oauthError);
  }
}

/**
 * Discovers the server, makes sure Tumiki is registered at its current authorization server, and starts
 * the authorization-code flow there (startBackendAuthorization). A DCR registration whose last refresh
 * failed because the AS rejected the client is registered again. Pre-registered credentials are never
 * replaced by an automatic registration: when the server has moved to another authorization server the
 * user (or, for a catalog server, an administrator) must register a client there. One backendOutbound
 * charge per start, before anything is sent.
 */
export async function prepareBackendAuthorization({
  userId,
  mcpServerId,
}: {
  userId: string;
  mcpServerId: string;
}): Promise<{ authorizationUrl: string }> {
  await assertRateLimit("backendOutbound", `user:${userId}`);
  const db = getDb();
  const server = await getVisibleServerOrThrow({
    userId,
    mcpServerId,
    select: {
      url: true,
      authType: true,
      ownerUserId: true,
      connections: {
        where: { userId },
        select: {
          tokens: {
            where: { tokenPurpose: BACKEND_TOKEN_PURPOSE },
            select: { lastError: true, oauthClientId: true },
          },
        },
      },
    },
  });
  if (server.authType !== "OAUTH") {
    throw new AppError("BAD_REQUEST", { userMessage: "This server does not use OAuth." });
  }
  const isCatalog = server.ownerUserId === null;
  const [connection] = server.connections;
  // Checked before anything is sent: startBackendAuthorization refuses it too, but only after discovery
  // and registration would have run for a connection that does not exist.
  if (isCatalog && !connection) {
    throw new AppError("CONFLICT", {
      message: "authorization of a catalog server the user has not connected",
      userMessage: "Connect this server from the catalog first.",
    });
  }

  const discovery = await discoverBackendAuth({ url: server.url });
  const issuer = discovery.authorizationServer?.issuer;
  if (discovery.authType !== "OAUTH" || !issuer) {
    throw new AppError("UNAVAILABLE", {
      message: `server ${mcpServerId} is OAUTH but discovery found no authorization server`,
      userMessage: "This server no longer asks for a sign-in as expected, so Tumiki cannot connect it.",
    });
  }

  const clients = await db.oAuthClient.findMany({
    where: { mcpServerId },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
  });
  const current = clients.find((client) => client.issuer === issuer);
  const latest = clients[0];
  if (!current && latest?.registrationType === "PRE_REGISTERED") {
    const redirectUri = getBackendRedirectUri({ issuer, registrationType: "PRE_REGISTERED" });
    throw new AppError("CONFLICT", {
      message: `server ${mcpServerId} moved from ${latest.issuer} to ${issuer}; its client is pre-registered`,
      userMessage: isCatalog
        ? `This server now uses the authorization server ${issuer}, where its OAuth client is not registered. An administrator must register one there (redirect URI ${redirectUri}) and configure its credentials.`
        : `This server now uses the authorization server ${issuer}, and your client credentials were registered at ${latest.issuer}. Register an OAuth client at ${issuer} (redirect URI ${redirectUri}), then remove this server and add it again with its client ID and secret.`,
    });
  }

  const token = connection?.tokens[0];
  const registerAgain =
    current?.registrationType === "DCR" &&
    token?.oauthClientId === current.id &&
    token.lastError !== null &&
    CLIENT_REJECTED_ERRORS.has(token.lastError) &&
    (await isClientRejected(current));

  const { oauthClientId } = await registerBackendClient({ userId, mcpServerId, discovery, registerAgain });
  return startBackendAuthorization({ userId, mcpServerId, oauthClientId });
}
