import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "../../scripts/demo-backend/start-demo-backend";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { AppError } from "../errors";
import {
  allowOutboundHosts,
  authorizationServerMetadata,
  startMetadataHost,
  type TMetadataHost,
} from "../testing/metadata-host-fixture";
import { createTestUser } from "../testing/tier1-fixtures";
import type { TBackendDiscovery } from "./backend-schemas";
import { discoverBackendAuth } from "./discover-backend-auth";
import { getBackendRedirectUri } from "./get-backend-redirect-uri";
import { registerBackendClient } from "./register-backend-client";

// Registration against the real demo backend (oidc-provider, open DCR) and, for what it cannot do (CIMD,
// a second issuer, no registration at all), against a fixture authorization server on 127.0.0.1.

let demo: TDemoBackend;
let fixture: TMetadataHost;
const originalAppUrl = process.env.APP_URL;

beforeAll(async () => {
  [demo, fixture] = await Promise.all([startDemoBackend({ port: 0 }), startMetadataHost()]);
});

afterAll(async () => {
  await Promise.all([demo.close(), fixture.close()]);
});

let registrations = 0;

beforeEach(() => {
  fixture.reset();
  registrations = 0;
  const demoPort = new URL(demo.origin).port;
  allowOutboundHosts([`localhost:${demoPort}`, `127.0.0.1:${demoPort}`, ...fixture.allowlistEntries]);
});

afterEach(() => {
  process.env.APP_URL = originalAppUrl;
  resetEnvCache();
});

let owner: { id: string };
beforeAll(async () => {
  owner = await createTestUser();
});

let serverCount = 0;
/** A private server of `owner`, or with `catalog` a shared one (no owner). */
async function createServer(url: string, { catalog = false } = {}) {
  serverCount += 1;
  return getDb().mcpServer.create({
    data: {
      name: `Server ${serverCount}`,
      slug: `server-${serverCount}`,
      url,
      authType: "OAUTH",
      ownerUserId: catalog ? null : owner.id,
    },
  });
}

/** A fixture AS (and MCP server) whose metadata `overrides` adjust; its /register hands out clients. */
async function discoverFixture(overrides: Record<string, unknown> = {}, issuerPath = "") {
  const issuer = fixture.url(issuerPath);
  fixture.route(
    "/mcp",
    { status: 401, headers: { "www-authenticate": 'Bearer scope="files:read"' } },
    "POST",
  );
  fixture.route("/.well-known/oauth-protected-resource/mcp", {
    json: { resource: fixture.url("/mcp"), authorization_servers: [issuer] },
  });
  fixture.route(
    issuerPath
      ? `/.well-known/oauth-authorization-server${issuerPath}`
      : "/.well-known/oauth-authorization-server",
    {
      json: authorizationServerMetadata(issuer, overrides),
    },
  );
  fixture.route(
    "/register",
    (request) => {
      registrations += 1;
      const body = JSON.parse(request.body) as Record<string, unknown>;
      return {
        status: 201,
        json: {
          ...body,
          client_id: `fixture-client-${registrations}`,
          client_secret: `fixture-secret-${registrations}`,
        },
      };
    },
    "POST",
  );
  return discoverBackendAuth({ url: fixture.url("/mcp") });
}

/** This issuer's own redirect URI; its shape is checked once, where the demo AS registers it. */
const perIssuerUri = (issuer: string) => getBackendRedirectUri({ issuer, registrationType: "DCR" });

const registerRequests = () => fixture.requests.filter((request) => request.path === "/register");

async function rawColumns(id: string) {
  const [row] = await getDb().$queryRaw<{ clientId: string; clientSecret: string | null }[]>`
    SELECT "clientId", "clientSecret" FROM "OAuthClient" WHERE id = ${id}`;
  return row;
}

async function registrationError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("registerBackendClient", () => {
  it("registers dynamically at the demo backend and reuses the registration for the same issuer", async () => {
    const discovery = await discoverBackendAuth({ url: demo.mcpUrl });
    const server = await createServer(demo.mcpUrl);
    const registrationsBefore = demo.stats.registrations;

    const first = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(first.registrationType).toBe("DCR");
    expect(demo.stats.registrations).toBe(registrationsBefore + 1);
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } });
    expect(row).toMatchObject({
      mcpServerId: server.id,
      issuer: demo.issuer,
      registrationType: "DCR",
      authorizationServerUrl: demo.issuer,
      tokenEndpoint: discovery.authorizationServer?.tokenEndpoint,
      authorizationEndpoint: discovery.authorizationServer?.authorizationEndpoint,
      protectedResourceUrl: demo.mcpUrl,
      resourceIndicator: demo.mcpUrl,
      scopes: ["notes:read", "notes:write"],
      grantTypes: ["authorization_code", "refresh_token"],
      responseTypes: ["code"],
      redirectUris: [perIssuerUri(demo.issuer)],
      applicationName: "Tumiki",
      // The demo AS advertises RFC 9207 `iss`, so the callback will insist on it.
      issParameterSupported: true,
      clientSecretExpiresAt: null,
    });
    expect(row.tokenEndpointAuthMethod).toBe("client_secret_basic");
    expect(row.clientSecret).toBeTruthy();
    // A redirect URI of this issuer's own (RFC 9700 §4.4.2), not the shared callback.
    expect(row.redirectUris[0]).toMatch(/^http:\/\/localhost:3000\/oauth\/callback\/[A-Za-z0-9_-]{22}$/);

    // The stored credentials are the ones the AS issued: it shows the registration to their holder.
    expect(row.registrationClientUri).toBeTruthy();
    const read = await fetch(row.registrationClientUri ?? "", {
      headers: { authorization: `Bearer ${row.registrationAccessToken}` },
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      client_id: row.clientId,
      client_secret: row.clientSecret,
      redirect_uris: [perIssuerUri(demo.issuer)],
      client_name: "Tumiki",
      // MCP 2026-07-28 (SEP-837): a web application, accepted by an OIDC server with a loopback URI.
      application_type: "web",
    });

    const second = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(second).toEqual(first);
    expect(demo.stats.registrations).toBe(registrationsBefore + 1);

    await flushAuditEvents();
    const events = await getDb().auditLog.findMany({
      where: { eventType: "backend.client_registered", mcpServerId: server.id },
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toEqual({ registrationType: "DCR", issuer: demo.issuer });
    // The user who caused the registration sees it on their Audit page.
    expect(events[0]?.actorUserId).toBe(owner.id);
    const serialized = JSON.stringify(events);
    expect(serialized).not.toContain(row.clientSecret);
    expect(serialized).not.toContain(row.clientId);
  });

  it("registers again, never reusing credentials, when the issuer changes", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const before = await discoverFixture();
    const first = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery: before,
    });

    const after = await discoverFixture({ registration_endpoint: fixture.url("/register") }, "/tenant2");
    const second = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery: after,
    });

    expect(second.oauthClientId).not.toBe(first.oauthClientId);
    expect(registerRequests()).toHaveLength(2);
    const rows = await getDb().oAuthClient.findMany({
      where: { mcpServerId: server.id },
      orderBy: { createdAt: "asc" },
    });
    expect(rows.map((row) => [row.issuer, row.clientId])).toEqual([
      [fixture.origin, "fixture-client-1"],
      [fixture.url("/tenant2"), "fixture-client-2"],
    ]);
    expect(rows[1]?.id).toBe(second.oauthClientId);
  });

  it("sends RFC 7591 metadata and the discovered scope, and picks the auth method from what the AS supports", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture({
      token_endpoint_auth_methods_supported: ["client_secret_post", "none"],
    });

    const result = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    const [request] = registerRequests();
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      client_name: "Tumiki",
      client_uri: "http://localhost:3000",
      redirect_uris: [perIssuerUri(fixture.origin)],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
      application_type: "web",
      scope: "files:read",
    });
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: result.oauthClientId } });
    expect(row).toMatchObject({ tokenEndpointAuthMethod: "client_secret_post", scopes: ["files:read"] });
  });

  it("stores pre-registered credentials encrypted, replacing an earlier registration for the issuer", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    const dcr = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    const result = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery,
      preRegistered: { clientId: "my-own-client", clientSecret: "my-own-secret-value" },
    });

    expect(result).toEqual({ oauthClientId: dcr.oauthClientId, registrationType: "PRE_REGISTERED" });
    expect(registerRequests()).toHaveLength(1);
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: result.oauthClientId } });
    expect(row).toMatchObject({
      registrationType: "PRE_REGISTERED",
      clientId: "my-own-client",
      clientSecret: "my-own-secret-value",
      registrationAccessToken: null,
      tokenEndpointAuthMethod: "client_secret_basic",
      redirectUris: [perIssuerUri(fixture.origin)],
    });
    const raw = await rawColumns(result.oauthClientId);
    expect(raw?.clientId).not.toContain("my-own-client");
    expect(raw?.clientSecret).not.toContain("my-own-secret-value");
    expect(raw?.clientSecret?.length).toBeGreaterThan(20);
  });

  it("stores a public pre-registered client without a secret, and refuses a secret method without one", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();

    const error = await registrationError(
      registerBackendClient({
        userId: owner.id,
        mcpServerId: server.id,
        discovery,
        preRegistered: { clientId: "public-client", tokenEndpointAuthMethod: "client_secret_post" },
      }),
    );
    expect(error.userMessage).toContain("client secret");

    const result = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery,
      preRegistered: { clientId: "public-client" },
    });
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: result.oauthClientId } });
    expect(row).toMatchObject({
      clientId: "public-client",
      clientSecret: null,
      tokenEndpointAuthMethod: "none",
    });
    expect(registerRequests()).toHaveLength(0);
  });

  it("uses Tumiki's client metadata document when the AS supports CIMD and iss, and APP_URL is https", async () => {
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture({
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });

    const result = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(result.registrationType).toBe("CIMD");
    expect(registerRequests()).toHaveLength(0);
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: result.oauthClientId } });
    expect(row).toMatchObject({
      clientId: "https://tumiki.example.com/oauth/client-metadata.json",
      clientSecret: null,
      tokenEndpointAuthMethod: "none",
      redirectUris: ["https://tumiki.example.com/oauth/callback"],
    });
  });

  it("registers by DCR, with a redirect URI of the issuer's own, at a CIMD AS that does not send iss", async () => {
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture({ client_id_metadata_document_supported: true });
    expect(discovery.registrationOptions).toContain("cimd");

    const result = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(result.registrationType).toBe("DCR");
    const ownUri = perIssuerUri(fixture.origin);
    expect(ownUri.startsWith("https://tumiki.example.com/oauth/callback/")).toBe(true);
    expect(JSON.parse(registerRequests()[0]?.body ?? "{}")).toMatchObject({ redirect_uris: [ownUri] });
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: result.oauthClientId } });
    expect(row.redirectUris).toEqual([ownUri]);
  });

  it("replaces a CIMD registration by DCR once the AS stops advertising iss", async () => {
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();
    const server = await createServer(fixture.url("/mcp"));
    const withIss = await discoverFixture({
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    const cimd = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery: withIss,
    });
    expect(cimd.registrationType).toBe("CIMD");

    const withoutIss = await discoverFixture({ client_id_metadata_document_supported: true });
    const result = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery: withoutIss,
    });

    expect(result).toEqual({ oauthClientId: cimd.oauthClientId, registrationType: "DCR" });
    expect(registerRequests()).toHaveLength(1);
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: result.oauthClientId } });
    expect(row).toMatchObject({
      clientId: "fixture-client-1",
      issParameterSupported: false,
      redirectUris: [perIssuerUri(fixture.origin)],
    });
  });

  it("keeps the redirect URI a reused registration was made with", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    const first = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });
    // A row registered before redirect URIs were per issuer: its AS knows only the shared callback.
    await getDb().oAuthClient.update({
      where: { id: first.oauthClientId },
      data: { redirectUris: ["http://localhost:3000/oauth/callback"] },
    });

    await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(registerRequests()).toHaveLength(1);
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } });
    expect(row.redirectUris).toEqual(["http://localhost:3000/oauth/callback"]);
  });

  it("falls back to DCR when the AS supports CIMD but APP_URL is plain http", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture({
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });

    const result = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(result.registrationType).toBe("DCR");
    expect(registerRequests()).toHaveLength(1);
  });

  it("asks for credentials when the AS offers neither CIMD nor DCR", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture({ registration_endpoint: undefined });
    expect(discovery.registrationOptions).toEqual(["pre_registered"]);

    const error = await registrationError(
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    );

    expect(error.code).toBe("BAD_REQUEST");
    expect(error.userMessage).toBe(
      `The authorization server ${fixture.origin} does not let Tumiki register itself. Register an OAuth client with the provider (redirect URI ${perIssuerUri(fixture.origin)}) and enter its client ID and secret.`,
    );
    expect(await getDb().oAuthClient.count({ where: { mcpServerId: server.id } })).toBe(0);
  });

  it("tells the user of a catalog server that the operator must configure credentials, naming the redirect URI", async () => {
    const server = await createServer(fixture.url("/mcp"), { catalog: true });
    const discovery = await discoverFixture({ registration_endpoint: undefined });

    const error = await registrationError(
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    );

    expect(error.code).toBe("BAD_REQUEST");
    expect(error.userMessage).toBe(
      `The authorization server ${fixture.origin} does not let Tumiki register itself. An administrator must register an OAuth client there (redirect URI ${perIssuerUri(fixture.origin)}) and configure its credentials for this catalog server.`,
    );
    expect(await getDb().oAuthClient.count({ where: { mcpServerId: server.id } })).toBe(0);
  });

  it("registers a DCR or CIMD client again once APP_URL changed, since its redirect URI no longer reaches Tumiki", async () => {
    process.env.APP_URL = "https://old.tumiki.example.com";
    resetEnvCache();
    const dcrServer = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    const dcr = await registerBackendClient({ userId: owner.id, mcpServerId: dcrServer.id, discovery });
    const cimdServer = await createServer(fixture.url("/mcp"));
    const cimdDiscovery = await discoverFixture({
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    const cimd = await registerBackendClient({
      userId: owner.id,
      mcpServerId: cimdServer.id,
      discovery: cimdDiscovery,
    });
    expect([dcr.registrationType, cimd.registrationType]).toEqual(["DCR", "CIMD"]);

    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();
    await registerBackendClient({ userId: owner.id, mcpServerId: dcrServer.id, discovery });
    await registerBackendClient({ userId: owner.id, mcpServerId: cimdServer.id, discovery: cimdDiscovery });

    expect(registerRequests()).toHaveLength(2);
    expect(await getDb().oAuthClient.findUniqueOrThrow({ where: { id: dcr.oauthClientId } })).toMatchObject({
      clientId: "fixture-client-2",
      redirectUris: [perIssuerUri(fixture.origin)],
    });
    expect(perIssuerUri(fixture.origin)).toMatch(/^https:\/\/tumiki\.example\.com\//);
    expect(await getDb().oAuthClient.findUniqueOrThrow({ where: { id: cimd.oauthClientId } })).toMatchObject({
      clientId: "https://tumiki.example.com/oauth/client-metadata.json",
      redirectUris: ["https://tumiki.example.com/oauth/callback"],
    });
  });

  it("refuses a pre-registered client whose redirect URI is of an old APP_URL, naming the one to register", async () => {
    process.env.APP_URL = "https://old.tumiki.example.com";
    resetEnvCache();
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    const first = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery,
      preRegistered: { clientId: "my-app", clientSecret: "my-secret" },
    });
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();

    const error = await registrationError(
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    );

    expect(error.code).toBe("CONFLICT");
    expect(error.userMessage).toBe(
      `Tumiki's address has changed, so your OAuth client at ${fixture.origin} no longer redirects to it. Register the redirect URI ${perIssuerUri(fixture.origin)} with that client, then remove this server and add it again with its client ID and secret.`,
    );
    expect(registerRequests()).toHaveLength(0);
    expect(await getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } })).toMatchObject(
      {
        registrationType: "PRE_REGISTERED",
        clientId: "my-app",
      },
    );
  });

  it("registers a DCR client again when told the AS rejected it, but never a pre-registered one", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    const first = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    const again = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery,
      registerAgain: true,
    });

    expect(again.oauthClientId).toBe(first.oauthClientId);
    expect(registerRequests()).toHaveLength(2);
    expect(
      (await getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } })).clientId,
    ).toBe("fixture-client-2");

    const own = await createServer(fixture.url("/mcp"));
    await registerBackendClient({
      userId: owner.id,
      mcpServerId: own.id,
      discovery,
      preRegistered: { clientId: "my-app", clientSecret: "my-secret" },
    });
    const kept = await registerBackendClient({
      userId: owner.id,
      mcpServerId: own.id,
      discovery,
      registerAgain: true,
    });
    expect(kept.registrationType).toBe("PRE_REGISTERED");
    expect(registerRequests()).toHaveLength(2);
  });

  it("reports a refused registration with the AS's error code only", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    fixture.route(
      "/register",
      { status: 400, json: { error: "invalid_redirect_uri", error_description: "<script>nope</script>" } },
      "POST",
    );

    const error = await registrationError(
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    );

    expect(error.userMessage).toContain("HTTP 400 (invalid_redirect_uri)");
    expect(error.userMessage).not.toContain("script");
  });

  it("keeps one registration when two requests race for the same server and issuer", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery: TBackendDiscovery = await discoverFixture();

    const results = await Promise.all([
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    ]);

    expect(new Set(results.map((r) => r.oauthClientId)).size).toBe(1);
    expect(await getDb().oAuthClient.count({ where: { mcpServerId: server.id } })).toBe(1);
  });

  it("refuses a discovery without OAuth", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery: TBackendDiscovery = {
      serverUrl: server.url,
      authType: "NONE",
      scopes: [],
      registrationOptions: [],
    };

    const error = await registrationError(
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    );

    expect(error.code).toBe("BAD_REQUEST");
  });
  it("refuses a server of another user as not found, registering nothing", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    const stranger = await createTestUser();

    const error = await registrationError(
      registerBackendClient({ userId: stranger.id, mcpServerId: server.id, discovery }),
    );

    expect(error.code).toBe("NOT_FOUND");
    expect(registerRequests()).toHaveLength(0);
  });

  it("refuses a user's own credentials for a catalog server, before or after its client exists", async () => {
    const server = await createServer(fixture.url("/mcp"), { catalog: true });
    const discovery = await discoverFixture();
    const attackerCredentials = { clientId: "attacker-app", clientSecret: "attacker-secret" };

    const first = await registrationError(
      registerBackendClient({
        userId: owner.id,
        mcpServerId: server.id,
        discovery,
        preRegistered: attackerCredentials,
      }),
    );
    expect(first.code).toBe("FORBIDDEN");
    expect(await getDb().oAuthClient.count({ where: { mcpServerId: server.id } })).toBe(0);

    const shared = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });
    const second = await registrationError(
      registerBackendClient({
        userId: owner.id,
        mcpServerId: server.id,
        discovery,
        preRegistered: attackerCredentials,
      }),
    );
    expect(second.code).toBe("FORBIDDEN");
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: shared.oauthClientId } });
    expect(row).toMatchObject({
      registrationType: "DCR",
      clientId: "fixture-client-1",
      clientSecret: "fixture-secret-1",
    });
  });

  it("stores whether the AS sends iss, and refreshes it when the registration is reused", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const without = await discoverFixture();
    const first = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery: without,
    });
    const read = () => getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } });
    expect((await read()).issParameterSupported).toBe(false);

    const withIss = await discoverFixture({ authorization_response_iss_parameter_supported: true });
    const second = await registerBackendClient({
      userId: owner.id,
      mcpServerId: server.id,
      discovery: withIss,
    });

    expect(second.oauthClientId).toBe(first.oauthClientId);
    expect((await read()).issParameterSupported).toBe(true);
    expect(registerRequests()).toHaveLength(1);
  });

  it("registers again when the AS said the DCR secret has expired, and reuses one that has not", async () => {
    const server = await createServer(fixture.url("/mcp"), { catalog: true });
    const discovery = await discoverFixture();
    let expiresAt = Math.floor(Date.now() / 1000) + 3600;
    fixture.route(
      "/register",
      () => {
        registrations += 1;
        return {
          status: 201,
          json: {
            client_id: `expiring-client-${registrations}`,
            client_secret: `expiring-secret-${registrations}`,
            client_secret_expires_at: expiresAt,
          },
        };
      },
      "POST",
    );

    const first = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });
    const row = await getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } });
    expect(row.clientSecretExpiresAt?.getTime()).toBe(expiresAt * 1000);
    await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });
    expect(registerRequests()).toHaveLength(1);

    await getDb().oAuthClient.update({
      where: { id: first.oauthClientId },
      data: { clientSecretExpiresAt: new Date(Date.now() - 1000) },
    });
    expiresAt = 0;
    const again = await registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery });

    expect(again.oauthClientId).toBe(first.oauthClientId);
    expect(registerRequests()).toHaveLength(2);
    expect(await getDb().oAuthClient.findUniqueOrThrow({ where: { id: first.oauthClientId } })).toMatchObject(
      {
        registrationType: "DCR",
        clientId: "expiring-client-2",
        clientSecret: "expiring-secret-2",
        // 0: the new secret never expires.
        clientSecretExpiresAt: null,
      },
    );
  });

  it("refuses a registration answered with a client authentication method Tumiki cannot perform", async () => {
    const server = await createServer(fixture.url("/mcp"));
    const discovery = await discoverFixture();
    fixture.route(
      "/register",
      { status: 201, json: { client_id: "jwt-client", token_endpoint_auth_method: "private_key_jwt" } },
      "POST",
    );

    const error = await registrationError(
      registerBackendClient({ userId: owner.id, mcpServerId: server.id, discovery }),
    );

    expect(error.userMessage).toContain("client authentication method Tumiki cannot use");
    expect(await getDb().oAuthClient.count({ where: { mcpServerId: server.id } })).toBe(0);
  });
});
