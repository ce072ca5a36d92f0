import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { ClientRegistrationType, OAuthClient, Prisma } from "../generated/prisma/client";
import { isUniqueViolation } from "../is-unique-violation";
import {
  type TBackendAuthorizationServer,
  type TBackendDiscovery,
  type TPreRegisteredCredentials,
  type TTokenEndpointAuthMethod,
  ZPreRegisteredCredentials,
} from "./backend-schemas";
import { chooseBackendRegistration } from "./choose-backend-registration";
import { getBackendRedirectUri } from "./get-backend-redirect-uri";
import { getTumikiClientMetadata } from "./get-tumiki-client-metadata";
import { requestClientRegistration } from "./request-client-registration";

// Tumiki's client registration at a backend's authorization server, in the MCP spec's order: credentials
// the user registered themselves, then a Client ID Metadata Document, then dynamic client registration,
// else the user is asked for credentials (chooseBackendRegistration). One OAuthClient row per server and
// issuer: a registration is reused only for the same issuer, and a changed issuer registers afresh, so
// credentials issued by one authorization server are never sent to another.
//
// A catalog server (no owner) has one client per issuer that every user signs in through. Its credentials
// are never a user's: pre-registered credentials are refused for it (only the operator configures those,
// in the database), so no user can route everybody's sign-ins through an OAuth app they control. On a
// user's own server, new pre-registered credentials replace the row.
//
// A DCR secret the AS said has expired (RFC 7591 client_secret_expires_at) is not reused: Tumiki registers
// again at the same, just-discovered AS and replaces the row's credentials with its own new ones.
//
// The row's redirect URI (getBackendRedirectUri: one per issuer, the shared callback for CIMD) is part of
// its credentials: written with them and kept when a row is reused, since it is what the AS registered.
// A CIMD row is reused only while the AS still advertises `iss` (chooseBackendRegistration), which is
// what keeps responses on the shared callback apart; otherwise Tumiki registers afresh.
//
// `resourceIndicator` on the row is the RFC 8707 `resource` for authorization and token requests: the
// checked RFC 9728 `resource`, or the server URL itself when the server publishes no such metadata.

/** Every credential column, nulls included: replacing a row's credentials must leave none of the old. */
type TCredentials = {
  registrationType: ClientRegistrationType;
  clientId: string;
  clientSecret: string | null;
  clientSecretExpiresAt: Date | null;
  registrationAccessToken: string | null;
  registrationClientUri: string | null;
  tokenEndpointAuthMethod: TTokenEndpointAuthMethod;
  redirectUris: string[];
};

function getAuthorizationServerOrThrow(discovery: TBackendDiscovery): TBackendAuthorizationServer {
  if (discovery.authType !== "OAUTH" || !discovery.authorizationServer) {
    throw new AppError("BAD_REQUEST", {
      message: "registerBackendClient called for a server without OAuth",
      userMessage: "This server does not use OAuth, so there is nothing to register.",
    });
  }
  return discovery.authorizationServer;
}

/** What discovery says about the AS and the resource: refreshed on every registration or reuse. */
function rowData(
  discovery: TBackendDiscovery,
  as: TBackendAuthorizationServer,
): Omit<Prisma.OAuthClientUncheckedCreateInput, "mcpServerId" | "registrationType" | "clientId"> {
  const metadata = getTumikiClientMetadata();
  return {
    issuer: as.issuer,
    authorizationServerUrl: as.issuer,
    authorizationEndpoint: as.authorizationEndpoint,
    tokenEndpoint: as.tokenEndpoint,
    registrationEndpoint: as.registrationEndpoint ?? null,
    revocationEndpoint: as.revocationEndpoint ?? null,
    issParameterSupported: as.issParameterSupported,
    protectedResourceUrl: discovery.serverUrl,
    resourceIndicator: discovery.resource ?? discovery.serverUrl,
    scopes: discovery.scopes,
    grantTypes: metadata.grant_types,
    responseTypes: metadata.response_types,
    applicationName: metadata.client_name,
    applicationUri: metadata.client_uri,
  };
}

function parsePreRegisteredCredentialsOrThrow(
  input: TPreRegisteredCredentials,
  as: TBackendAuthorizationServer,
): TCredentials {
  const credentials = ZPreRegisteredCredentials.parse(input);
  const method =
    credentials.tokenEndpointAuthMethod ?? (credentials.clientSecret ? "client_secret_basic" : "none");
  if (method !== "none" && !credentials.clientSecret) {
    throw new AppError("BAD_REQUEST", {
      message: `pre-registered credentials: ${method} without a secret`,
      userMessage: "Enter the client secret, or choose no client authentication for a public client.",
    });
  }
  return {
    registrationType: "PRE_REGISTERED",
    clientId: credentials.clientId,
    // A public client sends no secret, so none is kept.
    clientSecret: method === "none" ? null : (credentials.clientSecret ?? null),
    clientSecretExpiresAt: null,
    registrationAccessToken: null,
    registrationClientUri: null,
    tokenEndpointAuthMethod: method,
    redirectUris: [getBackendRedirectUri({ issuer: as.issuer, registrationType: "PRE_REGISTERED" })],
  };
}

async function obtainCredentials(
  discovery: TBackendDiscovery,
  as: TBackendAuthorizationServer,
): Promise<TCredentials> {
  const choice = chooseBackendRegistration(discovery);
  if (choice === "cimd") {
    return {
      registrationType: "CIMD",
      clientId: getTumikiClientMetadata().client_id,
      clientSecret: null,
      clientSecretExpiresAt: null,
      registrationAccessToken: null,
      registrationClientUri: null,
      tokenEndpointAuthMethod: "none",
      redirectUris: [getBackendRedirectUri({ issuer: as.issuer, registrationType: "CIMD" })],
    };
  }
  if (choice === "dcr" && as.registrationEndpoint) {
    const redirectUri = getBackendRedirectUri({ issuer: as.issuer, registrationType: "DCR" });
    const registration = await requestClientRegistration({
      registrationEndpoint: as.registrationEndpoint,
      tokenEndpointAuthMethods: as.tokenEndpointAuthMethods,
      scopes: discovery.scopes,
      redirectUri,
    });
    return {
      registrationType: "DCR",
      clientId: registration.clientId,
      clientSecret: registration.clientSecret ?? null,
      clientSecretExpiresAt: registration.clientSecretExpiresAt,
      registrationAccessToken: registration.registrationAccessToken ?? null,
      registrationClientUri: registration.registrationClientUri ?? null,
      tokenEndpointAuthMethod: registration.tokenEndpointAuthMethod,
      redirectUris: [redirectUri],
    };
  }
  throw new AppError("BAD_REQUEST", {
    message: `no registration option at ${as.issuer}`,
    userMessage: `The authorization server ${as.issuer} does not let Tumiki register itself. Register an OAuth client with the provider (redirect URI ${getBackendRedirectUri({ issuer: as.issuer, registrationType: "PRE_REGISTERED" })}) and enter its client ID and secret.`,
  });
}

const isSecretExpired = (row: OAuthClient, now: Date) =>
  row.clientSecretExpiresAt !== null && row.clientSecretExpiresAt <= now;

/** Whether a stored registration may still be used with what discovery found now. */
const isReusable = (row: OAuthClient, discovery: TBackendDiscovery, now: Date) =>
  !isSecretExpired(row, now) &&
  (row.registrationType !== "CIMD" || chooseBackendRegistration(discovery) === "cimd");

function audit(userId: string, mcpServerId: string, row: OAuthClient): void {
  writeAuditEvent({
    eventType: "backend.client_registered",
    outcome: "SUCCESS",
    actorUserId: userId,
    mcpServerId,
    detail: { registrationType: row.registrationType, issuer: row.issuer },
  });
}

const result = (row: OAuthClient) => ({ oauthClientId: row.id, registrationType: row.registrationType });

/**
 * Returns the OAuthClient row for (server, issuer); reuses one only when the issuer is the same. The
 * server must be `userId`'s own or a catalog server; `preRegistered` is refused for a catalog server.
 */
export async function registerBackendClient({
  userId,
  mcpServerId,
  discovery,
  preRegistered,
}: {
  userId: string;
  mcpServerId: string;
  discovery: TBackendDiscovery;
  preRegistered?: TPreRegisteredCredentials;
}): Promise<{ oauthClientId: string; registrationType: ClientRegistrationType }> {
  const as = getAuthorizationServerOrThrow(discovery);
  const db = getDb();
  const server = await db.mcpServer.findFirst({
    where: { id: mcpServerId, OR: [{ ownerUserId: null }, { ownerUserId: userId }] },
    select: { ownerUserId: true },
  });
  if (!server) throw new AppError("NOT_FOUND", { userMessage: "This server was not found." });
  const where = { mcpServerId_issuer: { mcpServerId, issuer: as.issuer } };
  const data = rowData(discovery, as);

  if (preRegistered) {
    if (server.ownerUserId === null) {
      throw new AppError("FORBIDDEN", {
        message: `pre-registered credentials for catalog server ${mcpServerId}`,
        userMessage:
          "A catalog server's OAuth client is shared by every user, so only an administrator can set its credentials.",
      });
    }
    const credentials = parsePreRegisteredCredentialsOrThrow(preRegistered, as);
    // Two attempts: a concurrent first registration may create the row between our read and our create.
    for (let attempt = 0; ; attempt += 1) {
      const existing = await db.oAuthClient.findUnique({ where, select: { id: true } });
      try {
        // The encryption extension binds each secret to its row id, so an update must address the id.
        const row = existing
          ? await db.oAuthClient.update({ where: { id: existing.id }, data: { ...data, ...credentials } })
          : await db.oAuthClient.create({ data: { mcpServerId, ...data, ...credentials } });
        audit(userId, mcpServerId, row);
        return result(row);
      } catch (error) {
        if (attempt > 0 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  const existing = await db.oAuthClient.findUnique({ where });
  if (existing && isReusable(existing, discovery, new Date())) {
    // Same issuer: keep the credentials, refresh what discovery may have changed (endpoints, scopes).
    const row = await db.oAuthClient.update({ where: { id: existing.id }, data });
    return result(row);
  }

  const credentials = await obtainCredentials(discovery, as);
  if (existing) {
    const row = await db.oAuthClient.update({
      where: { id: existing.id },
      data: { ...data, ...credentials },
    });
    audit(userId, mcpServerId, row);
    return result(row);
  }
  try {
    const row = await db.oAuthClient.create({ data: { mcpServerId, ...data, ...credentials } });
    audit(userId, mcpServerId, row);
    return result(row);
  } catch (error) {
    // Someone registered the same server and issuer meanwhile: theirs wins, ours is left unused.
    if (!isUniqueViolation(error)) throw error;
    const winner = await db.oAuthClient.findUnique({ where });
    if (!winner) throw error;
    return result(winner);
  }
}
