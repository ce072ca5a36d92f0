import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getAppUrl } from "../auth/resource-urls";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { type AppError, RateLimitError } from "../errors";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { RATE_LIMIT_POLICIES } from "../rate-limit/rate-limit-policies";
import { postMcpInitialize } from "../testing/post-mcp-initialize";
import { createTestUser } from "../testing/tier1-fixtures";
import { waitForFreshWindow } from "../testing/wait-for-fresh-window";
import { BackendAuthorizationError } from "./backend-authorization-error";
import { completeBackendAuthorization } from "./complete-backend-authorization";
import { getBackendRedirectUri } from "./get-backend-redirect-uri";
import { prepareBackendAuthorization } from "./prepare-backend-authorization";
import { MAX_PENDING_BACKEND_AUTHORIZATIONS, startBackendAuthorization } from "./start-backend-authorization";

// The tier-2 authorization-code flow against the real demo backend (oidc-provider): Tumiki registers by
// DCR (done here by hand, as the discovery helper would), starts the flow, the test plays the browser
// through the AS's login/consent page hop by hop, and the callback's query is handed to
// completeBackendAuthorization as /oauth/callback/<issuerKey> would.

const db = getDb();
/** The callback CIMD clients share, and rows registered before redirect URIs were per issuer. */
const SHARED_CALLBACK_URL = getAppUrl("/oauth/callback");
/** The demo AS's own redirect URI, and its `<issuerKey>` as the route hands it over. */
let CALLBACK_URL: string;
let ISSUER_KEY: string;

let backend: TDemoBackend;
let serverId: string;
let serverName: string;
let oauthClientId: string;
let issuer: string;

type TMetadata = {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint: string;
  revocation_endpoint?: string;
  authorization_response_iss_parameter_supported?: boolean;
};

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0 });
  const { host } = new URL(backend.origin);
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = `${host},127.0.0.1:${new URL(backend.origin).port}`;
  resetEnvCache();

  const metadata = (await (
    await fetch(`${backend.issuer}/.well-known/openid-configuration`)
  ).json()) as TMetadata;
  expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  CALLBACK_URL = getBackendRedirectUri({ issuer: metadata.issuer, registrationType: "DCR" });
  ISSUER_KEY = CALLBACK_URL.slice(`${SHARED_CALLBACK_URL}/`.length);
  const registration = await fetch(metadata.registration_endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Tumiki (test)",
      redirect_uris: [CALLBACK_URL],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "notes:read notes:write",
    }),
  });
  expect(registration.status).toBe(201);
  const registered = (await registration.json()) as { client_id: string; client_secret: string };

  serverName = `Demo <Notes> & "Co"`;
  const server = await db.mcpServer.create({
    data: { name: serverName, slug: `demo-notes-${randomUUID()}`, url: backend.mcpUrl, authType: "OAUTH" },
  });
  serverId = server.id;
  issuer = metadata.issuer;
  const client = await db.oAuthClient.create({
    data: {
      mcpServerId: serverId,
      issuer,
      registrationType: "DCR",
      clientId: registered.client_id,
      clientSecret: registered.client_secret,
      authorizationServerUrl: issuer,
      tokenEndpoint: metadata.token_endpoint,
      authorizationEndpoint: metadata.authorization_endpoint,
      registrationEndpoint: metadata.registration_endpoint,
      revocationEndpoint: metadata.revocation_endpoint,
      protectedResourceUrl: backend.mcpUrl,
      resourceIndicator: backend.mcpUrl,
      scopes: ["notes:read", "notes:write"],
      grantTypes: ["authorization_code", "refresh_token"],
      responseTypes: ["code"],
      tokenEndpointAuthMethod: "client_secret_basic",
      redirectUris: [CALLBACK_URL],
      issParameterSupported: metadata.authorization_response_iss_parameter_supported === true,
    },
  });
  oauthClientId = client.id;
});

afterAll(async () => {
  await backend?.close();
});

/**
 * Plays the browser from the authorization URL to the redirect to Tumiki's callback: follows each
 * redirect by hand with the AS's cookies, and submits the demo AS's login/consent form.
 */
async function followToCallback(
  authorizationUrl: string,
  action: "allow" | "deny" = "allow",
  callbackUrl = CALLBACK_URL,
) {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let form: string | undefined;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(`${callbackUrl}?`)) return new URL(url).searchParams;
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      body: form,
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const value = pair.slice(pair.indexOf("=") + 1);
      if (!value || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get("location");
    const text = await response.text();
    if (location) {
      url = new URL(location, url).toString();
      form = undefined;
    } else if (response.status === 200 && new URL(url).pathname.startsWith("/interaction/")) {
      form = new URLSearchParams(action === "allow" ? { action, account: "alice" } : { action }).toString();
    } else {
      throw new Error(
        `unexpected HTTP ${response.status} at ${new URL(url).pathname}: ${text.slice(0, 300)}`,
      );
    }
  }
  throw new Error("the authorization did not reach the callback");
}

async function startAndFollow(userId: string, action: "allow" | "deny" = "allow") {
  const { authorizationUrl } = await startBackendAuthorization({ userId, mcpServerId: serverId });
  return followToCallback(authorizationUrl, action);
}

async function tokensOf(userId: string) {
  return db.oAuthToken.findMany({ where: { connection: { userId } } });
}

async function auditOf(userId: string) {
  await flushAuditEvents();
  return db.auditLog.findMany({ where: { actorUserId: userId }, orderBy: { createdAt: "asc" } });
}

async function expectFailure(promise: Promise<unknown>, reason: string): Promise<BackendAuthorizationError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${reason} failure`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackendAuthorizationError);
  expect((error as BackendAuthorizationError).reason).toBe(reason);
  return error as BackendAuthorizationError;
}

/** The failure left no token and one audit row with the reason, without any secret of the flow. */
async function expectAuditedWithoutToken(userId: string, reason: string, query?: URLSearchParams) {
  expect(await tokensOf(userId)).toEqual([]);
  const events = await auditOf(userId);
  const failures = events.filter((event) => event.eventType === "backend.authorization_failed");
  expect(failures.map((event) => event.reason)).toContain(reason);
  expect(events.some((event) => event.eventType === "backend.connected")).toBe(false);
  const serialized = JSON.stringify(events);
  for (const name of ["code", "state"]) {
    const value = query?.get(name);
    if (value) expect(serialized).not.toContain(value);
  }
}

/** A user connected to the shared catalog server, as connectCatalogServer leaves them. */
async function createConnectedUser() {
  const user = await createTestUser();
  await db.userMcpConfig.create({ data: { userId: user.id, mcpServerId: serverId, status: "PENDING" } });
  return user;
}

describe("startBackendAuthorization", () => {
  it("builds an S256 authorization URL with state, resource and scope, keeping only hashes and ciphertext", async () => {
    const user = await createConnectedUser();
    const { authorizationUrl } = await startBackendAuthorization({ userId: user.id, mcpServerId: serverId });
    const url = new URL(authorizationUrl);
    const params = url.searchParams;
    expect(`${url.origin}${url.pathname}`).toBe(`${backend.issuer}/auth`);
    expect(params.get("response_type")).toBe("code");
    // The demo AS's own redirect URI, not the shared callback (RFC 9700 §4.4.2).
    expect(params.get("redirect_uri")).toBe(CALLBACK_URL);
    expect(CALLBACK_URL).toMatch(/^http:\/\/localhost:3000\/oauth\/callback\/[A-Za-z0-9_-]{22}$/);
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("resource")).toBe(backend.mcpUrl);
    expect(params.get("scope")).toBe("notes:read notes:write");
    expect(params.has("code_verifier")).toBe(false);
    const state = params.get("state") ?? "";
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const row = await db.backendAuthorizationState.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.stateHash).toBe(createHash("sha256").update(state).digest("hex"));
    expect(row.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizationUrl).not.toContain(row.codeVerifier);
    expect(params.get("code_challenge")).toBe(
      createHash("sha256").update(row.codeVerifier).digest("base64url"),
    );
    expect(row).toMatchObject({
      mcpServerId: serverId,
      oauthClientId,
      redirectUri: CALLBACK_URL,
      resource: backend.mcpUrl,
      scope: "notes:read notes:write",
      consumedAt: null,
    });
    expect(Math.abs(row.expiresAt.getTime() - Date.now() - 10 * 60_000)).toBeLessThan(30_000);
    const [raw] = await db.$queryRaw<{ codeVerifier: string }[]>`
      SELECT "codeVerifier" FROM "BackendAuthorizationState" WHERE id = ${row.id}`;
    expect(raw?.codeVerifier.startsWith("enc:v1:")).toBe(true);
    expect(raw?.codeVerifier).not.toContain(row.codeVerifier);
    expect(JSON.stringify(row)).not.toContain(state);

    const connection = await db.userMcpConfig.findUniqueOrThrow({
      where: { userId_mcpServerId: { userId: user.id, mcpServerId: serverId } },
    });
    expect(connection.status).toBe("PENDING");
  });

  it("refuses a server that is private to another user, as not found", async () => {
    const owner = await createTestUser();
    const other = await createTestUser();
    const server = await db.mcpServer.create({
      data: {
        name: "Private",
        slug: `private-${randomUUID()}`,
        url: backend.mcpUrl,
        authType: "OAUTH",
        ownerUserId: owner.id,
      },
    });
    await expect(
      startBackendAuthorization({ userId: other.id, mcpServerId: server.id }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await db.userMcpConfig.count({ where: { userId: other.id } })).toBe(0);
  });

  it("keeps the endpoint's own query parameters, overrides ours, and uses the newest client of the server", async () => {
    const user = await createConnectedUser();
    const server = await db.mcpServer.create({
      data: {
        name: "Own",
        slug: `own-${randomUUID()}`,
        url: "https://own.example.test/mcp",
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    const clientRow = (issuerUrl: string, endpoint: string, createdAt: Date) => ({
      mcpServerId: server.id,
      issuer: issuerUrl,
      registrationType: "PRE_REGISTERED" as const,
      clientId: `client-${issuerUrl}`,
      authorizationServerUrl: issuerUrl,
      tokenEndpoint: `${issuerUrl}/token`,
      authorizationEndpoint: endpoint,
      scopes: [],
      createdAt,
    });
    await db.oAuthClient.create({
      data: clientRow(
        "https://old.example.test",
        "https://old.example.test/authorize",
        new Date(Date.now() - 60_000),
      ),
    });
    await db.oAuthClient.create({
      data: {
        ...clientRow(
          "https://as.example.test",
          "https://as.example.test/authorize?tenant=acme&state=forged&response_type=token",
          new Date(),
        ),
        // Not one of this deployment's callbacks (APP_URL changed since): the issuer's own is sent.
        redirectUris: ["https://old-tumiki.example.test/oauth/callback"],
      },
    });
    const { authorizationUrl } = await startBackendAuthorization({ userId: user.id, mcpServerId: server.id });
    const url = new URL(authorizationUrl);
    expect(url.host).toBe("as.example.test");
    expect(url.searchParams.get("tenant")).toBe("acme");
    expect(url.searchParams.getAll("state")).toHaveLength(1);
    expect(url.searchParams.get("state")).not.toBe("forged");
    expect(url.searchParams.getAll("response_type")).toEqual(["code"]);
    expect(url.searchParams.get("client_id")).toBe("client-https://as.example.test");
    expect(url.searchParams.get("redirect_uri")).toBe(
      getBackendRedirectUri({ issuer: "https://as.example.test", registrationType: "PRE_REGISTERED" }),
    );
    // No client resource indicator: the server's URL; no scopes: no scope parameter.
    expect(url.searchParams.get("resource")).toBe("https://own.example.test/mcp");
    expect(url.searchParams.has("scope")).toBe(false);
  });

  it("refuses an authorization endpoint the outbound URL rules refuse, or with a fragment, and a server without a client", async () => {
    const user = await createConnectedUser();
    for (const endpoint of [
      "javascript:alert(1)//",
      "http://as.example.test/authorize",
      "data:text/html,hi",
      "https://user:pw@as.example.test/authorize",
      "https://10.0.0.7/authorize",
      "https://as.example.test/authorize#fragment",
    ]) {
      const server = await db.mcpServer.create({
        data: {
          name: "Bad",
          slug: `bad-${randomUUID()}`,
          url: "https://bad.example.test/mcp",
          authType: "OAUTH",
          ownerUserId: user.id,
        },
      });
      await db.oAuthClient.create({
        data: {
          mcpServerId: server.id,
          issuer: "https://bad.example.test",
          registrationType: "PRE_REGISTERED",
          clientId: "bad",
          authorizationServerUrl: "https://bad.example.test",
          tokenEndpoint: "https://bad.example.test/token",
          authorizationEndpoint: endpoint,
        },
      });
      const error = await startBackendAuthorization({ userId: user.id, mcpServerId: server.id }).then(
        () => new Error(`expected ${endpoint} to be refused`),
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      expect((error as AppError).userMessage).toMatch(/^The server's authorization endpoint /);
    }
    expect(await db.backendAuthorizationState.count({ where: { userId: user.id } })).toBe(0);
    const bare = await db.mcpServer.create({
      data: {
        name: "Bare",
        slug: `bare-${randomUUID()}`,
        url: "https://bare.example.test/mcp",
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    await expect(startBackendAuthorization({ userId: user.id, mcpServerId: bare.id })).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage:
        "Tumiki is not registered with this server's authorization server. Remove the server and add it again.",
    });
  });

  it("refuses a catalog server the user has not connected, creating no connection and no state", async () => {
    const user = await createTestUser();

    await expect(startBackendAuthorization({ userId: user.id, mcpServerId: serverId })).rejects.toMatchObject(
      {
        code: "CONFLICT",
        userMessage: "Connect this server from the catalog first.",
      },
    );
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.backendAuthorizationState.count({ where: { userId: user.id } })).toBe(0);
  });

  it("keeps the shared callback a row was registered with before redirect URIs were per issuer, end to end", async () => {
    const user = await createTestUser();
    const legacy = await db.mcpServer.create({
      data: {
        name: "Legacy",
        slug: `legacy-${randomUUID()}`,
        url: backend.mcpUrl,
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    const metadata = (await (
      await fetch(`${backend.issuer}/.well-known/openid-configuration`)
    ).json()) as TMetadata;
    const registration = await fetch(metadata.registration_endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        redirect_uris: [SHARED_CALLBACK_URL],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
        scope: "notes:read notes:write",
      }),
    });
    const { client_id: clientId } = (await registration.json()) as { client_id: string };
    const template = await db.oAuthClient.findUniqueOrThrow({ where: { id: oauthClientId } });
    const { id: _id, mcpServerId: _server, createdAt: _c, updatedAt: _u, ...client } = template;
    await db.oAuthClient.create({
      data: {
        ...client,
        mcpServerId: legacy.id,
        clientId,
        clientSecret: null,
        tokenEndpointAuthMethod: "none",
        redirectUris: [SHARED_CALLBACK_URL],
      },
    });

    const { authorizationUrl } = await startBackendAuthorization({ userId: user.id, mcpServerId: legacy.id });
    expect(new URL(authorizationUrl).searchParams.get("redirect_uri")).toBe(SHARED_CALLBACK_URL);
    const query = await followToCallback(authorizationUrl, "allow", SHARED_CALLBACK_URL);
    // Its response arrives at the shared path, where its state says it must.
    await completeBackendAuthorization({ userId: user.id, callbackIssuerKey: null, query });
    expect(await tokensOf(user.id)).toHaveLength(1);
  });

  it("creates the connection of the user's own server when it is missing", async () => {
    const user = await createTestUser();
    const own = await db.mcpServer.create({
      data: {
        name: "Own",
        slug: `own-${randomUUID()}`,
        url: backend.mcpUrl,
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    const template = await db.oAuthClient.findUniqueOrThrow({ where: { id: oauthClientId } });
    const { id: _id, mcpServerId: _server, createdAt: _c, updatedAt: _u, ...client } = template;
    await db.oAuthClient.create({ data: { ...client, mcpServerId: own.id } });

    await startBackendAuthorization({ userId: user.id, mcpServerId: own.id });

    expect(
      await db.userMcpConfig.findUniqueOrThrow({
        where: { userId_mcpServerId: { userId: user.id, mcpServerId: own.id } },
      }),
    ).toMatchObject({ status: "PENDING" });
  });

  it("uses the client it is given, else the one registration confirmed last (issuer A→B→A), not the newest row", async () => {
    const user = await createTestUser();
    const server = await db.mcpServer.create({
      data: {
        name: "Moving",
        slug: `moving-${randomUUID()}`,
        url: "https://moving.example.test/mcp",
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    const clientRow = (issuerUrl: string) => ({
      mcpServerId: server.id,
      issuer: issuerUrl,
      registrationType: "DCR" as const,
      clientId: `client-${issuerUrl}`,
      authorizationServerUrl: issuerUrl,
      tokenEndpoint: `${issuerUrl}/token`,
      authorizationEndpoint: `${issuerUrl}/authorize`,
      scopes: [],
    });
    const first = await db.oAuthClient.create({ data: clientRow("https://a.example.test") });
    const second = await db.oAuthClient.create({ data: clientRow("https://b.example.test") });
    // The server moved back to A: registerBackendClient reuses A's row, which updates it.
    await db.oAuthClient.update({ where: { id: first.id }, data: { scopes: ["read"] } });
    const clientIdOf = async (oauthClientId?: string) =>
      new URL(
        (await startBackendAuthorization({ userId: user.id, mcpServerId: server.id, oauthClientId }))
          .authorizationUrl,
      ).searchParams.get("client_id");

    expect(await clientIdOf()).toBe("client-https://a.example.test");
    expect(await clientIdOf(second.id)).toBe("client-https://b.example.test");
    // Another server's client is not this server's, even by id.
    const other = await db.mcpServer.create({
      data: {
        name: "Other",
        slug: `other-${randomUUID()}`,
        url: "https://other.example.test/mcp",
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    await expect(
      startBackendAuthorization({ userId: user.id, mcpServerId: other.id, oauthClientId: first.id }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("caps the pending authorizations of a user and clears that user's expired ones", async () => {
    const user = await createConnectedUser();
    for (let i = 0; i < MAX_PENDING_BACKEND_AUTHORIZATIONS; i++) {
      await startBackendAuthorization({ userId: user.id, mcpServerId: serverId });
    }
    await expect(startBackendAuthorization({ userId: user.id, mcpServerId: serverId })).rejects.toMatchObject(
      {
        code: "RATE_LIMITED",
      },
    );
    expect(await db.backendAuthorizationState.count({ where: { userId: user.id } })).toBe(
      MAX_PENDING_BACKEND_AUTHORIZATIONS,
    );
    await db.backendAuthorizationState.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await startBackendAuthorization({ userId: user.id, mcpServerId: serverId });
    expect(await db.backendAuthorizationState.count({ where: { userId: user.id } })).toBe(1);
  });
});

describe("completeBackendAuthorization", () => {
  it("exchanges the code, stores the tokens encrypted, connects and audits; the response is single-use", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    expect(query.get("code")).toBeTruthy();
    expect(query.get("iss")).toBe(issuer);
    const exchangesBefore = backend.stats.tokenRequests.authorization_code ?? 0;

    const result = await completeBackendAuthorization({
      userId: user.id,
      callbackIssuerKey: ISSUER_KEY,
      query,
      origin: { ip: "203.0.113.9", userAgent: "callback-test" },
    });
    expect(result).toEqual({ mcpServerId: serverId, serverName });
    expect(backend.stats.tokenRequests.authorization_code).toBe(exchangesBefore + 1);

    const [token, ...others] = await tokensOf(user.id);
    expect(others).toEqual([]);
    expect(token).toMatchObject({
      oauthClientId,
      tokenPurpose: "backend_mcp",
      tokenType: "Bearer",
      scope: "notes:read notes:write",
      isValid: true,
      lastError: null,
      refreshCount: 0,
      lastRefreshedAt: null,
    });
    expect(token?.accessToken.length).toBeGreaterThan(10);
    expect(token?.refreshToken?.length).toBeGreaterThan(10);
    expect(Math.abs((token?.expiresAt?.getTime() ?? 0) - Date.now() - 3600_000)).toBeLessThan(30_000);
    const [raw] = await db.$queryRaw<{ accessToken: string; refreshToken: string }[]>`
      SELECT "accessToken", "refreshToken" FROM "OAuthToken" WHERE id = ${token?.id ?? ""}`;
    expect(raw?.accessToken.startsWith("enc:v1:")).toBe(true);
    expect(raw?.refreshToken.startsWith("enc:v1:")).toBe(true);
    expect(raw?.accessToken).not.toContain(token?.accessToken);

    // The stored token is the backend's: its MCP endpoint accepts it.
    const mcp = await postMcpInitialize({ url: backend.mcpUrl, accessToken: token?.accessToken });
    expect(mcp.status).toBe(200);
    await mcp.body?.cancel();

    const connection = await db.userMcpConfig.findUniqueOrThrow({
      where: { userId_mcpServerId: { userId: user.id, mcpServerId: serverId } },
    });
    expect(connection.status).toBe("CONNECTED");
    const connected = (await auditOf(user.id)).filter((event) => event.eventType === "backend.connected");
    expect(connected).toHaveLength(1);
    expect(connected[0]).toMatchObject({ outcome: "SUCCESS", mcpServerId: serverId, ip: "203.0.113.9" });
    expect(connected[0]?.detail).toMatchObject({ authType: "OAUTH", issuer });

    // The same response again: refused, nothing exchanged, the stored token untouched.
    const error = await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "state_reused",
    );
    expect(error.userMessage).toContain("already used");
    expect(error.mcpServerId).toBe(serverId);
    expect(backend.stats.tokenRequests.authorization_code).toBe(exchangesBefore + 1);
    const [after] = await tokensOf(user.id);
    expect(after?.accessToken).toBe(token?.accessToken);
    expect(after?.updatedAt).toEqual(token?.updatedAt);
    const events = await auditOf(user.id);
    expect(events.find((event) => event.reason === "state_reused")).toMatchObject({
      eventType: "backend.authorization_failed",
      outcome: "FAILURE",
    });
    const serialized = JSON.stringify(events);
    for (const secret of [query.get("code"), query.get("state"), token?.accessToken, token?.refreshToken]) {
      expect(serialized).not.toContain(secret);
    }
  });

  it("lets two racing requests with one response exchange the code once", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    const results = await Promise.allSettled([
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((result) => result.status === "rejected");
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ reason: "state_reused" });
    expect(await tokensOf(user.id)).toHaveLength(1);
  });

  it("replaces the token of a reconnect and resets its refresh bookkeeping", async () => {
    const user = await createConnectedUser();
    await completeBackendAuthorization({
      userId: user.id,
      callbackIssuerKey: ISSUER_KEY,
      query: await startAndFollow(user.id),
    });
    const [first] = await tokensOf(user.id);
    await db.oAuthToken.update({
      where: { id: first?.id ?? "" },
      data: { isValid: false, lastError: "invalid_grant", refreshCount: 7, lastRefreshedAt: new Date() },
    });
    await db.userMcpConfig.updateMany({ where: { userId: user.id }, data: { status: "NEEDS_REAUTH" } });

    await completeBackendAuthorization({
      userId: user.id,
      callbackIssuerKey: ISSUER_KEY,
      query: await startAndFollow(user.id),
    });
    const tokens = await tokensOf(user.id);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({
      id: first?.id,
      isValid: true,
      lastError: null,
      refreshCount: 0,
      lastRefreshedAt: null,
    });
    expect(tokens[0]?.accessToken).not.toBe(first?.accessToken);
    expect((await db.userMcpConfig.findFirstOrThrow({ where: { userId: user.id } })).status).toBe(
      "CONNECTED",
    );
  });

  it("refuses a response without state", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    query.delete("state");
    await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "missing_state",
    );
    await expectAuditedWithoutToken(user.id, "missing_state", query);
  });

  it("refuses an unknown state", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    query.set("state", "A".repeat(43));
    await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "unknown_state",
    );
    await expectAuditedWithoutToken(user.id, "unknown_state", query);
  });

  it("refuses an expired state", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    await db.backendAuthorizationState.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const error = await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "state_expired",
    );
    expect(error.userMessage).toContain("expired");
    await expectAuditedWithoutToken(user.id, "state_expired", query);
  });

  it("refuses another user's state exactly like an unknown one, and leaves it to its owner", async () => {
    const owner = await createConnectedUser();
    const intruder = await createConnectedUser();
    const query = await startAndFollow(owner.id);
    const error = await expectFailure(
      completeBackendAuthorization({ userId: intruder.id, callbackIssuerKey: ISSUER_KEY, query }),
      "wrong_user",
    );
    const unknown = await expectFailure(
      completeBackendAuthorization({
        userId: intruder.id,
        callbackIssuerKey: ISSUER_KEY,
        query: new URLSearchParams({ state: "x" }),
      }),
      "unknown_state",
    );
    expect(error.userMessage).toBe(unknown.userMessage);
    expect(error.mcpServerId).toBeUndefined();
    await expectAuditedWithoutToken(intruder.id, "wrong_user", query);
    const wrongUser = (await auditOf(intruder.id)).find((event) => event.reason === "wrong_user");
    expect(wrongUser?.mcpServerId).toBeNull();
    expect(await tokensOf(owner.id)).toEqual([]);

    await completeBackendAuthorization({ userId: owner.id, callbackIssuerKey: ISSUER_KEY, query });
    expect(await tokensOf(owner.id)).toHaveLength(1);
  });

  it("refuses a response whose iss is not the client's issuer (mix-up), and burns its state", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    const genuineIss = query.get("iss") ?? "";
    query.set("iss", "https://attacker.example.test");
    await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "iss_mismatch",
    );
    await expectAuditedWithoutToken(user.id, "iss_mismatch", query);
    query.set("iss", genuineIss);
    await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "state_reused",
    );
    expect(await tokensOf(user.id)).toEqual([]);
  });

  it("refuses a response without iss when the AS advertised that it sends one (mix-up defence)", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    expect(query.get("iss")).toBe(issuer);
    query.delete("iss");
    await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "iss_missing",
    );
    await expectAuditedWithoutToken(user.id, "iss_missing", query);
  });

  it("accepts a response without iss from an AS that never advertised sending one", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    query.delete("iss");
    await db.oAuthClient.update({ where: { id: oauthClientId }, data: { issParameterSupported: false } });
    try {
      await completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query });
    } finally {
      await db.oAuthClient.update({ where: { id: oauthClientId }, data: { issParameterSupported: true } });
    }
    expect(await tokensOf(user.id)).toHaveLength(1);
  });

  it("refuses an error response with another issuer's iss, even from an AS that never advertised iss, without showing it", async () => {
    // MCP 2026-07-28: a present iss is compared whatever the metadata says, and on a mismatch the
    // response's error and error_description are neither acted on nor shown.
    await db.oAuthClient.update({ where: { id: oauthClientId }, data: { issParameterSupported: false } });
    try {
      const user = await createConnectedUser();
      const { authorizationUrl } = await startBackendAuthorization({
        userId: user.id,
        mcpServerId: serverId,
      });
      const state = new URL(authorizationUrl).searchParams.get("state") ?? "";
      const query = new URLSearchParams({
        error: "access_denied",
        error_description: "Visit https://attacker.example.test to fix your account",
        state,
        iss: "https://attacker.example.test",
      });
      const error = await expectFailure(
        completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
        "iss_mismatch",
      );
      expect(error.userMessage).not.toContain("attacker");
      expect(error.userMessage).not.toContain("declined");
      await expectAuditedWithoutToken(user.id, "iss_mismatch", query);
      const audited = JSON.stringify(await auditOf(user.id));
      expect(audited).not.toContain("attacker");
      expect(audited).not.toContain("access_denied");
    } finally {
      await db.oAuthClient.update({ where: { id: oauthClientId }, data: { issParameterSupported: true } });
    }
  });

  it("refuses a response that arrives at the shared callback or another issuer's path (mix-up), before any exchange", async () => {
    // The AS of the flow sends no iss, so the path is the only thing telling its responses apart.
    await db.oAuthClient.update({ where: { id: oauthClientId }, data: { issParameterSupported: false } });
    try {
      const otherKey = getBackendRedirectUri({
        issuer: "https://honest.example.test",
        registrationType: "DCR",
      }).slice(`${SHARED_CALLBACK_URL}/`.length);
      for (const callbackIssuerKey of [null, otherKey]) {
        const user = await createConnectedUser();
        const query = await startAndFollow(user.id);
        query.delete("iss");
        const exchangesBefore = backend.stats.tokenRequests.authorization_code ?? 0;

        const error = await expectFailure(
          completeBackendAuthorization({ userId: user.id, callbackIssuerKey, query }),
          "redirect_uri_mismatch",
        );

        expect(error.mcpServerId).toBe(serverId);
        expect(backend.stats.tokenRequests.authorization_code ?? 0).toBe(exchangesBefore);
        await expectAuditedWithoutToken(user.id, "redirect_uri_mismatch", query);
        // The state is spent: the same response on the right path is refused too.
        await expectFailure(
          completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
          "state_reused",
        );
        expect(await tokensOf(user.id)).toEqual([]);
      }
    } finally {
      await db.oAuthClient.update({ where: { id: oauthClientId }, data: { issParameterSupported: true } });
    }
  });

  it("requires iss from a CIMD client, whose redirect URI every CIMD client shares", async () => {
    const user = await createTestUser();
    const own = await db.mcpServer.create({
      data: {
        name: "Cimd",
        slug: `cimd-${randomUUID()}`,
        url: backend.mcpUrl,
        authType: "OAUTH",
        ownerUserId: user.id,
      },
    });
    const template = await db.oAuthClient.findUniqueOrThrow({ where: { id: oauthClientId } });
    const { id: _id, mcpServerId: _server, createdAt: _c, updatedAt: _u, ...client } = template;
    await db.oAuthClient.create({
      data: {
        ...client,
        mcpServerId: own.id,
        registrationType: "CIMD",
        clientId: getAppUrl("/oauth/client-metadata.json"),
        clientSecret: null,
        tokenEndpointAuthMethod: "none",
        redirectUris: [SHARED_CALLBACK_URL],
        issParameterSupported: false,
      },
    });
    const { authorizationUrl } = await startBackendAuthorization({ userId: user.id, mcpServerId: own.id });
    expect(new URL(authorizationUrl).searchParams.get("redirect_uri")).toBe(SHARED_CALLBACK_URL);
    const state = new URL(authorizationUrl).searchParams.get("state") ?? "";

    await expectFailure(
      completeBackendAuthorization({
        userId: user.id,
        callbackIssuerKey: null,
        query: new URLSearchParams({ code: "from-somewhere", state }),
      }),
      "iss_missing",
    );
    await expectAuditedWithoutToken(user.id, "iss_missing");
  });

  it("reports a consent the user declined at the backend", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id, "deny");
    expect(query.get("error")).toBe("access_denied");
    expect(query.has("code")).toBe(false);
    const error = await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "access_denied",
    );
    expect(error.userMessage).toBe(`You declined access at ${serverName}.`);
    await expectAuditedWithoutToken(user.id, "access_denied", query);
    expect((await auditOf(user.id)).find((event) => event.reason === "access_denied")?.outcome).toBe(
      "DENIED",
    );
  });

  it("shows another AS error with its description sanitized and bounded", async () => {
    const user = await createConnectedUser();
    const { authorizationUrl } = await startBackendAuthorization({ userId: user.id, mcpServerId: serverId });
    const state = new URL(authorizationUrl).searchParams.get("state") ?? "";
    const query = new URLSearchParams({
      error: "server_error",
      error_description: `Broken\r\n<script>${"x".repeat(500)}`,
      state,
      iss: issuer,
    });
    const error = await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "authorization_error",
    );
    expect(
      error.userMessage.startsWith(`${serverName} did not authorize Tumiki. It said: Broken <script>xxx`),
    ).toBe(true);
    expect(error.userMessage).not.toMatch(/[\r\n]/);
    expect(error.userMessage.length).toBeLessThan(serverName.length + 250);
    await expectAuditedWithoutToken(user.id, "authorization_error", query);
  });

  it("refuses a code the backend does not accept, without token details", async () => {
    const user = await createConnectedUser();
    const query = await startAndFollow(user.id);
    query.set("code", `${query.get("code")}tampered`);
    const error = await expectFailure(
      completeBackendAuthorization({ userId: user.id, callbackIssuerKey: ISSUER_KEY, query }),
      "code_exchange_failed",
    );
    expect(error.userMessage).toBe("The server refused the authorization code. Start connecting again.");
    await expectAuditedWithoutToken(user.id, "code_exchange_failed", query);
    const failure = (await auditOf(user.id)).find((event) => event.reason === "code_exchange_failed");
    expect(failure?.detail).toMatchObject({ oauthError: "invalid_grant", retryable: false });
    expect((await db.userMcpConfig.findFirstOrThrow({ where: { userId: user.id } })).status).toBe("PENDING");
  });
});

describe("prepareBackendAuthorization (Connect and Reconnect)", () => {
  /** A server of the user's own at the demo backend, with no registration yet. */
  async function createOwnDemoServer(userId: string) {
    return db.mcpServer.create({
      data: {
        name: "Own demo",
        slug: `own-demo-${randomUUID()}`,
        url: backend.mcpUrl,
        authType: "OAUTH",
        ownerUserId: userId,
      },
    });
  }

  async function connect(userId: string, mcpServerId: string) {
    const { authorizationUrl } = await prepareBackendAuthorization({ userId, mcpServerId });
    const query = await followToCallback(authorizationUrl);
    return completeBackendAuthorization({ userId, callbackIssuerKey: ISSUER_KEY, query });
  }

  it("registers Tumiki at the current authorization server, reuses it on Reconnect, and completes", async () => {
    const user = await createTestUser();
    const own = await createOwnDemoServer(user.id);
    const registrations = backend.stats.registrations;

    await connect(user.id, own.id);
    await connect(user.id, own.id);

    expect(backend.stats.registrations).toBe(registrations + 1);
    const [client, ...others] = await db.oAuthClient.findMany({ where: { mcpServerId: own.id } });
    expect(others).toEqual([]);
    expect(client).toMatchObject({ issuer, registrationType: "DCR", redirectUris: [CALLBACK_URL] });
    const [token] = await tokensOf(user.id);
    expect(token).toMatchObject({ oauthClientId: client?.id, isValid: true, lastError: null });
  });

  it("registers again when the AS no longer knows the client (invalid_client), and the reconnect completes", async () => {
    const user = await createTestUser();
    const own = await createOwnDemoServer(user.id);
    await connect(user.id, own.id);
    const client = await db.oAuthClient.findFirstOrThrow({ where: { mcpServerId: own.id } });
    // The AS deleted the client (the demo AS has no RFC 7592 delete): its id is one the AS never issued,
    // and the token manager's last refresh was refused with invalid_client.
    await db.oAuthClient.update({ where: { id: client.id }, data: { clientId: `deleted-${randomUUID()}` } });
    const [token] = await tokensOf(user.id);
    await db.oAuthToken.update({ where: { id: token?.id ?? "" }, data: { lastError: "invalid_client" } });
    const registrations = backend.stats.registrations;

    await connect(user.id, own.id);

    expect(backend.stats.registrations).toBe(registrations + 1);
    const replaced = await db.oAuthClient.findUniqueOrThrow({ where: { id: client.id } });
    expect(replaced.clientId).not.toBe(client.clientId);
    expect(replaced.clientId).not.toMatch(/^deleted-/);
    const [renewed] = await tokensOf(user.id);
    expect(renewed).toMatchObject({ oauthClientId: client.id, isValid: true, lastError: null });
  });

  it("does not register again when the client the refresh failed with works again (a shared row replaced meanwhile)", async () => {
    const user = await createTestUser();
    const own = await createOwnDemoServer(user.id);
    await connect(user.id, own.id);
    const client = await db.oAuthClient.findFirstOrThrow({ where: { mcpServerId: own.id } });
    const [token] = await tokensOf(user.id);
    await db.oAuthToken.update({ where: { id: token?.id ?? "" }, data: { lastError: "invalid_client" } });
    const registrations = backend.stats.registrations;
    const refreshes = backend.stats.tokenRequests.refresh_token ?? 0;

    await connect(user.id, own.id);

    // Asked the AS once (a refresh it cannot know: invalid_grant, so the client is alive), kept the client.
    expect(backend.stats.tokenRequests.refresh_token).toBe(refreshes + 1);
    expect(backend.stats.registrations).toBe(registrations);
    expect((await db.oAuthClient.findUniqueOrThrow({ where: { id: client.id } })).clientId).toBe(
      client.clientId,
    );
  });

  it("never replaces pre-registered credentials by a registration when the server moved to another AS", async () => {
    const user = await createTestUser();
    const own = await createOwnDemoServer(user.id);
    const catalog = await db.mcpServer.create({
      data: { name: "Moved catalog", slug: `moved-${randomUUID()}`, url: backend.mcpUrl, authType: "OAUTH" },
    });
    await db.userMcpConfig.create({ data: { userId: user.id, mcpServerId: catalog.id, status: "PENDING" } });
    for (const server of [own, catalog]) {
      await db.oAuthClient.create({
        data: {
          mcpServerId: server.id,
          issuer: "https://old-as.example.test",
          registrationType: "PRE_REGISTERED",
          clientId: "my-own-app",
          authorizationServerUrl: "https://old-as.example.test",
          tokenEndpoint: "https://old-as.example.test/token",
          authorizationEndpoint: "https://old-as.example.test/authorize",
          scopes: [],
        },
      });
    }
    const registrations = backend.stats.registrations;

    const ownError = (await prepareBackendAuthorization({ userId: user.id, mcpServerId: own.id }).catch(
      (caught: unknown) => caught,
    )) as AppError;
    const catalogError = (await prepareBackendAuthorization({
      userId: user.id,
      mcpServerId: catalog.id,
    }).catch((caught: unknown) => caught)) as AppError;

    expect(ownError.code).toBe("CONFLICT");
    expect(ownError.userMessage).toBe(
      `This server now uses the authorization server ${issuer}, and your client credentials were registered at https://old-as.example.test. Register an OAuth client at ${issuer} (redirect URI ${CALLBACK_URL}), then remove this server and add it again with its client ID and secret.`,
    );
    expect(catalogError.code).toBe("CONFLICT");
    expect(catalogError.userMessage).toContain("An administrator must register one there");
    expect(catalogError.userMessage).toContain(CALLBACK_URL);
    expect(backend.stats.registrations).toBe(registrations);
    expect(await db.oAuthClient.count({ where: { mcpServerId: { in: [own.id, catalog.id] }, issuer } })).toBe(
      0,
    );
    expect(await db.backendAuthorizationState.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses a catalog server the user has not connected before contacting it", async () => {
    const user = await createTestUser();
    const unreachable = await db.mcpServer.create({
      data: {
        name: "Unreachable",
        slug: `unreachable-${randomUUID()}`,
        url: "https://unreachable.invalid/mcp",
        authType: "OAUTH",
      },
    });
    await expect(
      prepareBackendAuthorization({ userId: user.id, mcpServerId: unreachable.id }),
    ).rejects.toMatchObject({ code: "CONFLICT", userMessage: "Connect this server from the catalog first." });
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
  });

  it("charges one backendOutbound per click, refusing before discovery and any state once spent", async () => {
    const policy = RATE_LIMIT_POLICIES.backendOutbound;
    await waitForFreshWindow(policy);
    const user = await createConnectedUser();
    for (let i = 1; i < policy.attempts; i += 1) await assertRateLimit("backendOutbound", `user:${user.id}`);

    // The last unit of the budget covers discovery, registration and the start together.
    await prepareBackendAuthorization({ userId: user.id, mcpServerId: serverId });
    const error = await prepareBackendAuthorization({ userId: user.id, mcpServerId: serverId }).then(
      () => new Error("expected a rate-limit refusal"),
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(RateLimitError);
    expect(await db.backendAuthorizationState.count({ where: { userId: user.id } })).toBe(1);
  });
});
