import { writeAuditEvent } from "../audit/write-audit-event";
import { getAppUrl } from "../auth/resource-urls";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { ClientRegistrationType, OAuthClient, Prisma } from "../generated/prisma/client";
import { isUniqueViolation } from "../is-unique-violation";
import {
  type TBackendAuthorizationServer,
  type TBackendDiscovery,
  type TPreRegisteredCredentials,
  ZPreRegisteredCredentials,
} from "./backend-schemas";
import { getTumikiClientMetadata, TUMIKI_CLIENT_NAME } from "./get-tumiki-client-metadata";
import { requestClientRegistration } from "./request-client-registration";

// Tumiki's client registration at a backend's authorization server, in the MCP spec's order: credentials
// the user registered themselves, then a Client ID Metadata Document, then dynamic client registration,
// else the user is asked for credentials. One OAuthClient row per server and issuer: a registration is
// reused only for the same issuer, and a changed issuer registers afresh, so credentials issued by one
// authorization server are never sent to another. New pre-registered credentials replace the row.
//
// CIMD needs Tumiki's metadata URL to be https (a CIMD client_id must be): with an http APP_URL (local
// development) Tumiki falls back to DCR even when the AS supports CIMD.
//
// `resourceIndicator` on the row is the RFC 8707 `resource` for authorization and token requests: the
// checked RFC 9728 `resource`, or the server URL itself when the server publishes no such metadata.

export type { TPreRegisteredCredentials };

type TRegistrationType = ClientRegistrationType;

type TCredentials = {
  registrationType: TRegistrationType;
  clientId: string;
  clientSecret?: string | null;
  registrationAccessToken?: string | null;
  registrationClientUri?: string | null;
  tokenEndpointAuthMethod: string;
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

function rowData(
  discovery: TBackendDiscovery,
  as: TBackendAuthorizationServer,
): Omit<Prisma.OAuthClientUncheckedCreateInput, "mcpServerId" | "registrationType" | "clientId"> {
  return {
    issuer: as.issuer,
    authorizationServerUrl: as.issuer,
    authorizationEndpoint: as.authorizationEndpoint,
    tokenEndpoint: as.tokenEndpoint,
    registrationEndpoint: as.registrationEndpoint ?? null,
    revocationEndpoint: as.revocationEndpoint ?? null,
    protectedResourceUrl: discovery.serverUrl,
    resourceIndicator: discovery.resource ?? discovery.serverUrl,
    scopes: discovery.scopes,
    grantTypes: ["authorization_code", "refresh_token"],
    responseTypes: ["code"],
    redirectUris: [getAppUrl("/oauth/callback")],
    applicationName: TUMIKI_CLIENT_NAME,
    applicationUri: getAppUrl(""),
  };
}

function preRegisteredCredentials(input: TPreRegisteredCredentials): TCredentials {
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
    clientSecret: method === "none" ? null : credentials.clientSecret,
    registrationAccessToken: null,
    registrationClientUri: null,
    tokenEndpointAuthMethod: method,
  };
}

async function obtainCredentials(
  discovery: TBackendDiscovery,
  as: TBackendAuthorizationServer,
): Promise<TCredentials> {
  const cimd = getTumikiClientMetadata();
  if (as.clientIdMetadataDocumentSupported && new URL(cimd.client_id).protocol === "https:") {
    return { registrationType: "CIMD", clientId: cimd.client_id, tokenEndpointAuthMethod: "none" };
  }
  if (as.registrationEndpoint) {
    const registration = await requestClientRegistration({
      registrationEndpoint: as.registrationEndpoint,
      tokenEndpointAuthMethods: as.tokenEndpointAuthMethods,
      scopes: discovery.scopes,
    });
    return { registrationType: "DCR", ...registration };
  }
  throw new AppError("BAD_REQUEST", {
    message: `no registration option at ${as.issuer}`,
    userMessage: `The authorization server ${as.issuer} does not let Tumiki register itself. Register an OAuth client with the provider (redirect URI ${getAppUrl("/oauth/callback")}) and enter its client ID and secret.`,
  });
}

function audit(mcpServerId: string, row: OAuthClient): void {
  writeAuditEvent({
    eventType: "backend.client_registered",
    outcome: "SUCCESS",
    mcpServerId,
    detail: { registrationType: row.registrationType, issuer: row.issuer },
  });
}

const result = (row: OAuthClient) => ({ oauthClientId: row.id, registrationType: row.registrationType });

/** Returns the OAuthClient row for (server, issuer); reuses one only when the issuer is the same. */
export async function registerBackendClient({
  mcpServerId,
  discovery,
  preRegistered,
}: {
  mcpServerId: string;
  discovery: TBackendDiscovery;
  preRegistered?: TPreRegisteredCredentials;
}): Promise<{ oauthClientId: string; registrationType: TRegistrationType }> {
  const as = getAuthorizationServerOrThrow(discovery);
  const db = getDb();
  const where = { mcpServerId_issuer: { mcpServerId, issuer: as.issuer } };
  const data = rowData(discovery, as);

  if (preRegistered) {
    const credentials = preRegisteredCredentials(preRegistered);
    // Two attempts: a concurrent first registration may create the row between our read and our create.
    for (let attempt = 0; ; attempt += 1) {
      const existing = await db.oAuthClient.findUnique({ where, select: { id: true } });
      try {
        // The encryption extension binds each secret to its row id, so an update must address the id.
        const row = existing
          ? await db.oAuthClient.update({ where: { id: existing.id }, data: { ...data, ...credentials } })
          : await db.oAuthClient.create({ data: { mcpServerId, ...data, ...credentials } });
        audit(mcpServerId, row);
        return result(row);
      } catch (error) {
        if (attempt > 0 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  const existing = await db.oAuthClient.findUnique({ where });
  if (existing) {
    // Same issuer: keep the credentials, refresh what discovery may have changed (endpoints, scopes).
    const row = await db.oAuthClient.update({ where: { id: existing.id }, data });
    return result(row);
  }

  const credentials = await obtainCredentials(discovery, as);
  try {
    const row = await db.oAuthClient.create({ data: { mcpServerId, ...data, ...credentials } });
    audit(mcpServerId, row);
    return result(row);
  } catch (error) {
    // Someone registered the same server and issuer meanwhile: theirs wins, ours is left unused.
    if (!isUniqueViolation(error)) throw error;
    const winner = await db.oAuthClient.findUnique({ where });
    if (!winner) throw error;
    return result(winner);
  }
}
