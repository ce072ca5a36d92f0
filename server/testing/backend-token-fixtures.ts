import { createHash, randomBytes, randomUUID } from "node:crypto";
import { getAppUrl } from "../auth/resource-urls";
import { BACKEND_TOKEN_PURPOSE } from "../backends/get-stored-backend-token-or-throw";
import { getDb } from "../db";
import { createTestUser } from "./tier1-fixtures";

// Rows and real tokens for tests of tier 2: a real authorization (registration, authorization code +
// PKCE, code exchange) against a running demo backend (scripts/demo-backend, started with
// `autoApproveAccount` so no page is shown), then the user, server, connection, OAuthClient and
// OAuthToken rows a completed connection leaves. Plain fetch only, independent of the code under test.

export type TDemoBackendLike = { origin: string; issuer: string; mcpUrl: string };

export type TTokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

type TAsMetadata = {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint: string;
  revocation_endpoint?: string;
};

export type TDemoGrant = {
  metadata: TAsMetadata;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod: TTokenEndpointAuthMethod;
  redirectUri: string;
  scope: string;
  tokens: {
    access_token: string;
    token_type: string;
    expires_in?: number;
    refresh_token?: string;
    scope?: string;
  };
};

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok)
    throw new Error(
      `${init?.method ?? "GET"} ${new URL(url).pathname} → ${response.status}: ${text.slice(0, 300)}`,
    );
  return JSON.parse(text) as T;
}

async function discover(issuer: string): Promise<TAsMetadata> {
  for (const path of ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]) {
    const response = await fetch(`${issuer.replace(/\/$/, "")}${path}`);
    if (response.ok) return (await response.json()) as TAsMetadata;
  }
  throw new Error(`no authorization server metadata at ${issuer}`);
}

const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/** With `autoApproveAccount` the demo backend answers the authorization request with one redirect. */
async function authorize(authorizationUrl: URL, redirectUri: string): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (!location?.startsWith(redirectUri)) {
    throw new Error(
      `authorization answered ${response.status} without redirecting to the client: ${(await response.text()).slice(0, 300)}`,
    );
  }
  return new URL(location);
}

/**
 * Registers a client at the demo backend (DCR) and completes an authorization code + PKCE flow as the
 * backend's `autoApproveAccount`, returning the client and its first tokens.
 */
export async function obtainDemoBackendGrant({
  backend,
  tokenEndpointAuthMethod = "client_secret_basic",
  scope = "notes:read notes:write",
}: {
  backend: TDemoBackendLike;
  tokenEndpointAuthMethod?: TTokenEndpointAuthMethod;
  scope?: string;
}): Promise<TDemoGrant> {
  const metadata = await discover(backend.issuer);
  const redirectUri = getAppUrl("/oauth/callback");
  const registration = await fetchJson<{ client_id: string; client_secret?: string }>(
    metadata.registration_endpoint,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "Tumiki test",
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: tokenEndpointAuthMethod,
      }),
    },
  );

  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorizationUrl = new URL(metadata.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: registration.client_id,
    redirect_uri: redirectUri,
    scope,
    state,
    resource: backend.mcpUrl,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  })) {
    authorizationUrl.searchParams.set(name, value);
  }
  const callback = await authorize(authorizationUrl, redirectUri);
  const code = callback.searchParams.get("code");
  if (!code || callback.searchParams.get("state") !== state) {
    throw new Error(
      `authorization failed: ${callback.searchParams.get("error") ?? "no code or wrong state"}`,
    );
  }

  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    resource: backend.mcpUrl,
  });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (tokenEndpointAuthMethod === "client_secret_basic") {
    const credentials = `${formEncode(registration.client_id)}:${formEncode(registration.client_secret ?? "")}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
  } else {
    body.set("client_id", registration.client_id);
    if (tokenEndpointAuthMethod === "client_secret_post")
      body.set("client_secret", registration.client_secret ?? "");
  }
  const tokens = await fetchJson<TDemoGrant["tokens"]>(metadata.token_endpoint, {
    method: "POST",
    headers,
    body,
  });
  return {
    metadata,
    clientId: registration.client_id,
    clientSecret: registration.client_secret,
    tokenEndpointAuthMethod,
    redirectUri,
    scope,
    tokens,
  };
}

/**
 * A user connected to the demo backend: user, server (authType OAUTH), connection (CONNECTED),
 * OAuthClient (DCR) and OAuthToken holding real tokens. `expiresAt` overrides the stored expiry (e.g.
 * one inside the refresh buffer, or in the past) without touching the real token's lifetime.
 */
export async function createBackendTokenFixture({
  backend,
  expiresAt,
  tokenEndpointAuthMethod,
  userId,
}: {
  backend: TDemoBackendLike;
  expiresAt?: Date | null;
  tokenEndpointAuthMethod?: TTokenEndpointAuthMethod;
  userId?: string;
}) {
  const db = getDb();
  const grant = await obtainDemoBackendGrant({ backend, tokenEndpointAuthMethod });
  const user = userId ? await db.user.findUniqueOrThrow({ where: { id: userId } }) : await createTestUser();
  const slug = `demo-${randomUUID().slice(0, 8)}`;
  const server = await db.mcpServer.create({
    data: { name: `Demo Notes ${slug}`, slug, url: backend.mcpUrl, authType: "OAUTH", ownerUserId: user.id },
  });
  const connection = await db.userMcpConfig.create({
    data: { userId: user.id, mcpServerId: server.id, status: "CONNECTED" },
  });
  const oauthClient = await db.oAuthClient.create({
    data: {
      mcpServerId: server.id,
      issuer: grant.metadata.issuer,
      registrationType: "DCR",
      clientId: grant.clientId,
      clientSecret: grant.clientSecret ?? null,
      authorizationServerUrl: grant.metadata.issuer,
      tokenEndpoint: grant.metadata.token_endpoint,
      authorizationEndpoint: grant.metadata.authorization_endpoint,
      registrationEndpoint: grant.metadata.registration_endpoint,
      revocationEndpoint: grant.metadata.revocation_endpoint ?? null,
      protectedResourceUrl: backend.mcpUrl,
      resourceIndicator: backend.mcpUrl,
      scopes: grant.scope.split(" "),
      grantTypes: ["authorization_code", "refresh_token"],
      responseTypes: ["code"],
      tokenEndpointAuthMethod: grant.tokenEndpointAuthMethod,
      redirectUris: [grant.redirectUri],
    },
  });
  const realExpiry =
    grant.tokens.expires_in === undefined ? null : new Date(Date.now() + grant.tokens.expires_in * 1000);
  const token = await db.oAuthToken.create({
    data: {
      userMcpConfigId: connection.id,
      oauthClientId: oauthClient.id,
      tokenPurpose: BACKEND_TOKEN_PURPOSE,
      accessToken: grant.tokens.access_token,
      refreshToken: grant.tokens.refresh_token ?? null,
      tokenType: "Bearer",
      expiresAt: expiresAt === undefined ? realExpiry : expiresAt,
      scope: grant.tokens.scope ?? grant.scope,
    },
  });
  return { user, server, connection, oauthClient, token, grant };
}

/** The OAuthToken row (decrypted) of a fixture's connection. */
export async function readBackendTokenRow(connectionId: string) {
  return getDb().oAuthToken.findUniqueOrThrow({
    where: {
      userMcpConfigId_tokenPurpose: { userMcpConfigId: connectionId, tokenPurpose: BACKEND_TOKEN_PURPOSE },
    },
  });
}
