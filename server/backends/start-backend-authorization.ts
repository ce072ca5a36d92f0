import { createHash, randomBytes } from "node:crypto";
import { hashOpaqueSecret } from "../auth/opaque-secrets";
import { getDb } from "../db";
import { AppError } from "../errors";
import { assertOutboundUrl } from "../net/assert-outbound-url";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import { getClientRedirectUri } from "./get-backend-redirect-uri";
import { getVisibleServerOrThrow } from "./get-visible-server-or-throw";

// Starts Tumiki's authorization-code flow with a backend's authorization server (MCP authorization
// spec, client side): PKCE S256, RFC 8707 `resource`, and a `state` kept server-side. Only the state's
// SHA-256 is stored, so a leaked table row cannot complete anyone's flow; the verifier is an encrypted
// field and never leaves the server. The returned URL is opened by the dashboard in a popup.

/** Long enough for a sign-in and a consent page at the backend, short enough to bound a stolen URL. */
const BACKEND_AUTHORIZATION_STATE_TTL_MS = 10 * 60 * 1000;

/** Open flows per user: nobody fills the table, and no honest user has this many popups open. */
export const MAX_PENDING_BACKEND_AUTHORIZATIONS = 20;

const base64UrlSha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("base64url");

/**
 * The authorization endpoint as a URL the browser may be sent to. It came from the backend's metadata,
 * so it passes the outbound URL rules (https, or http on the development allowlist; no credentials, no
 * private IP literal): a `javascript:` or `data:` URL here would run in the popup. RFC 6749 §3.1 adds
 * that the endpoint URI must not include a fragment.
 */
function parseAuthorizationEndpointOrThrow(endpoint: string): URL {
  let url: URL;
  try {
    url = assertOutboundUrl(endpoint).url;
  } catch (cause) {
    if (!(cause instanceof OutboundFetchError)) throw cause;
    throw new AppError("BAD_REQUEST", {
      message: `backend authorization endpoint refused (${cause.reason})`,
      userMessage: `The server's authorization endpoint cannot be used: ${cause.userMessage}`,
      cause,
    });
  }
  if (url.hash) {
    throw new AppError("BAD_REQUEST", {
      message: "backend authorization endpoint has a fragment",
      userMessage: "The server's authorization endpoint is not a valid OAuth endpoint (it has a #fragment).",
    });
  }
  return url;
}

/**
 * Starts the flow with `oauthClientId` (the row registerBackendClient returned for the server's current
 * authorization server), else with the server's most recently registered or confirmed client: a row is
 * updated each time registration reuses it, so after an issuer change A→B→A the row of A wins.
 * Not rate-limited here: prepareBackendAuthorization, the dashboard's entry point, charges one
 * backendOutbound per start together with the discovery and registration it runs first.
 */
export async function startBackendAuthorization({
  userId,
  mcpServerId,
  oauthClientId,
}: {
  userId: string;
  mcpServerId: string;
  oauthClientId?: string;
}): Promise<{ authorizationUrl: string }> {
  const db = getDb();
  const server = await getVisibleServerOrThrow({
    userId,
    mcpServerId,
    select: { id: true, url: true, authType: true, ownerUserId: true },
  });
  if (server.authType !== "OAUTH") {
    throw new AppError("BAD_REQUEST", { userMessage: "This server does not use OAuth." });
  }
  const isCatalog = server.ownerUserId === null;
  // A catalog server is connected through connectCatalogServer, which registers Tumiki at its current
  // authorization server first; starting here without that connection would skip it.
  if (isCatalog) {
    const connection = await db.userMcpConfig.findUnique({
      where: { userId_mcpServerId: { userId, mcpServerId } },
      select: { id: true },
    });
    if (!connection) {
      throw new AppError("CONFLICT", {
        message: "authorization of a catalog server the user has not connected",
        userMessage: "Connect this server from the catalog first.",
      });
    }
  }
  const client = await db.oAuthClient.findFirst({
    where: { mcpServerId, ...(oauthClientId ? { id: oauthClientId } : {}) },
    orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
  });
  if (!client) {
    throw new AppError("CONFLICT", {
      message: "backend server has no OAuthClient",
      userMessage: isCatalog
        ? "Tumiki is not registered with this catalog server's authorization server. Ask your administrator."
        : "Tumiki is not registered with this server's authorization server. Remove the server and add it again.",
    });
  }
  const endpoint = parseAuthorizationEndpointOrThrow(client.authorizationEndpoint);

  const now = new Date();
  await db.backendAuthorizationState.deleteMany({ where: { userId, expiresAt: { lte: now } } });
  const pending = await db.backendAuthorizationState.count({
    where: { userId, consumedAt: null, expiresAt: { gt: now } },
  });
  if (pending >= MAX_PENDING_BACKEND_AUTHORIZATIONS) {
    throw new AppError("RATE_LIMITED", {
      message: "too many pending backend authorizations",
      userMessage: "Too many connections are waiting to be completed. Finish or close them, then try again.",
    });
  }

  if (!isCatalog) {
    // The user's own server: its connection is created with it, and recreated here if it was removed.
    await db.userMcpConfig.upsert({
      where: { userId_mcpServerId: { userId, mcpServerId } },
      create: { userId, mcpServerId, status: "PENDING" },
      update: {},
    });
  }

  const codeVerifier = randomBytes(32).toString("base64url");
  const state = randomBytes(32).toString("base64url");
  // The state records the URI sent, and the callback accepts the response only there.
  const redirectUri = getClientRedirectUri(client);
  const resource = client.resourceIndicator ?? server.url;
  const scope = client.scopes.join(" ") || null;
  await db.backendAuthorizationState.create({
    data: {
      stateHash: hashOpaqueSecret(state),
      userId,
      mcpServerId,
      oauthClientId: client.id,
      codeVerifier,
      redirectUri,
      resource,
      scope,
      expiresAt: new Date(now.getTime() + BACKEND_AUTHORIZATION_STATE_TTL_MS),
    },
  });

  // `set` replaces a parameter the endpoint URL already carries: ours are the ones the AS must see.
  const params = endpoint.searchParams;
  params.set("response_type", "code");
  params.set("client_id", client.clientId);
  params.set("redirect_uri", redirectUri);
  params.set("code_challenge", base64UrlSha256(codeVerifier));
  params.set("code_challenge_method", "S256");
  params.set("state", state);
  params.set("resource", resource);
  if (scope) params.set("scope", scope);
  else params.delete("scope");
  return { authorizationUrl: endpoint.toString() };
}
