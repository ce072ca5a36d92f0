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
import { getBackendRedirectUri, getClientRedirectUri } from "./get-backend-redirect-uri";
import { getTumikiClientMetadata } from "./get-tumiki-client-metadata";
import { getVisibleServerOrThrow } from "./get-visible-server-or-throw";
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
// what keeps responses on the shared callback apart; otherwise Tumiki registers afresh. A redirect URI
// that is no longer one of Tumiki's callbacks (APP_URL changed) can never receive a response: a DCR or
// CIMD row is then registered afresh, and a pre-registered one is refused with the URI to register,
// since only whoever registered that client can add it.
//
// `registerAgain` replaces a DCR registration the AS no longer accepts (it answered invalid_client:
// the client was deleted or its secret revoked) although nothing Tumiki can see has changed.
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
  isCatalog: boolean,
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
  const redirectUri = getBackendRedirectUri({ issuer: as.issuer, registrationType: "PRE_REGISTERED" });
  throw new AppError("BAD_REQUEST", {
    message: `no registration option at ${as.issuer}`,
    // Users cannot set a catalog server's credentials (see above), so only the operator can help there.
    userMessage: isCatalog
      ? `The authorization server ${as.issuer} does not let Tumiki register itself. An administrator must register an OAuth client there (redirect URI ${redirectUri}) and configure its credentials for this catalog server.`
      : `The authorization server ${as.issuer} does not let Tumiki register itself. Register an OAuth client with the provider (redirect URI ${redirectUri}) and enter its client ID and secret.`,
  });
}

const isSecretExpired = (row: OAuthClient, now: Date) =>
  row.clientSecretExpiresAt !== null && row.clientSecretExpiresAt <= now;

/**
 * Whether the row's redirect URI still reaches Tumiki: this issuer's own, or the shared callback (CIMD
 * rows, and rows registered before redirect URIs were per issuer). startBackendAuthorization sends it.
 */
const hasCurrentRedirectUri = (row: OAuthClient) => row.redirectUris[0] === getClientRedirectUri(row);

/**
 * A pre-registered client whose stored redirect URI is no longer Tumiki's cannot complete a sign-in, and
 * Tumiki cannot fix it. A row stored without any URI (set up by hand) is left alone: the current URI is sent.
 */
function assertPreRegisteredRedirectUriCurrent(row: OAuthClient, isCatalog: boolean): void {
  if (row.registrationType !== "PRE_REGISTERED" || row.redirectUris.length === 0) return;
  if (hasCurrentRedirectUri(row)) return;
  const redirectUri = getBackendRedirectUri({ issuer: row.issuer, registrationType: "PRE_REGISTERED" });
  throw new AppError("CONFLICT", {
    message: `pre-registered client ${row.id} has a redirect URI of another Tumiki address`,
    userMessage: isCatalog
      ? `Tumiki's address has changed, so this catalog server's OAuth client at ${row.issuer} no longer redirects to it. An administrator must register the redirect URI ${redirectUri} for it and configure its credentials again.`
      : `Tumiki's address has changed, so your OAuth client at ${row.issuer} no longer redirects to it. Register the redirect URI ${redirectUri} with that client, then remove this server and add it again with its client ID and secret.`,
  });
}

/** Whether a stored registration may still be used with what discovery found now. */
const isReusable = (row: OAuthClient, discovery: TBackendDiscovery, now: Date, registerAgain: boolean) =>
  !isSecretExpired(row, now) &&
  !(registerAgain && row.registrationType === "DCR") &&
  (row.registrationType === "PRE_REGISTERED" || hasCurrentRedirectUri(row)) &&
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
 * `registerAgain`: the AS rejected the stored DCR client, so a DCR row is registered afresh.
 */
export async function registerBackendClient({
  userId,
  mcpServerId,
  discovery,
  preRegistered,
  registerAgain = false,
}: {
  userId: string;
  mcpServerId: string;
  discovery: TBackendDiscovery;
  preRegistered?: TPreRegisteredCredentials;
  registerAgain?: boolean;
}): Promise<{ oauthClientId: string; registrationType: ClientRegistrationType }> {
  const as = getAuthorizationServerOrThrow(discovery);
  const db = getDb();
  const server = await getVisibleServerOrThrow({ userId, mcpServerId, select: { ownerUserId: true } });
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

  const isCatalog = server.ownerUserId === null;
  const existing = await db.oAuthClient.findUnique({ where });
  if (existing) assertPreRegisteredRedirectUriCurrent(existing, isCatalog);
  if (existing && isReusable(existing, discovery, new Date(), registerAgain)) {
    // Same issuer: keep the credentials, refresh what discovery may have changed (endpoints, scopes).
    const row = await db.oAuthClient.update({ where: { id: existing.id }, data });
    return result(row);
  }

  const credentials = await obtainCredentials(discovery, as, isCatalog);
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
