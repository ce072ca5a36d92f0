import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { flushAuditEvents } from "../audit/write-audit-event";
import { isServerSlug } from "../auth/scopes";
import { getBackendRedirectUri } from "../backends/get-backend-redirect-uri";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { AppError, RateLimitError } from "../errors";
import { createInstance } from "../instances/create-instance";
import { setInstanceConnections } from "../instances/set-instance-connections";
import { RATE_LIMIT_POLICIES } from "../rate-limit/rate-limit-policies";
import { startModernBackend, type TModernBackend } from "../testing/start-modern-backend";
import { waitForFreshWindow } from "../testing/wait-for-fresh-window";
import { addServer } from "./add-server";
import { checkServer } from "./check-server";
import { connectCatalogServer } from "./connect-catalog-server";
import { createServerConnection } from "./create-server-connection";
import { listServerCatalog } from "./list-server-catalog";
import { listUserServers } from "./list-user-servers";
import { removeUserServer } from "./remove-user-server";
import { ZAddServerInput } from "./server-schemas";

const db = getDb();
let counter = 0;

async function createUser() {
  counter += 1;
  return db.user.create({ data: { email: `servers-${counter}-${Date.now()}@example.test` } });
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (caught: unknown) => caught,
  );
}

// A small stand-in for the MCP servers a user adds, on a free port:
// - /open answers `initialize` to anyone (no authentication);
// - /keyed wants `X-API-Key: right-key`, refuses others with a non-Bearer challenge, and, like a 2025
//   server with sessions, answers only `initialize` without a session (400 otherwise), opening a
//   session whose DELETE it counts;
// - /broken-oauth is OAuth-protected, but its authorization server's registration endpoint fails.
const API_KEY = "right-key";
const fake = { probes: { open: 0, keyed: 0 }, sessionDeletes: 0, registrations: 0, keysSeen: [] as string[] };
let fakeServer: Server;
let fakeOrigin = "";
let demo: TDemoBackend;
/** A 2026-07-28-only server (it refuses `initialize`), with an API key and without. */
let modernKeyed: TModernBackend;
let modernOpen: TModernBackend;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const initializeResult = {
  jsonrpc: "2.0",
  id: 1,
  result: { protocolVersion: "2025-11-25", capabilities: {}, serverInfo: { name: "fake", version: "1" } },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function handleFake(req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", fakeOrigin).pathname;
  if (path === "/open") {
    fake.probes.open += 1;
    return sendJson(res, 200, initializeResult);
  }
  if (path === "/keyed") {
    if (req.method === "DELETE") {
      fake.sessionDeletes += 1;
      return sendJson(res, 200, {});
    }
    fake.probes.keyed += 1;
    const key = req.headers["x-api-key"];
    if (typeof key === "string") fake.keysSeen.push(key);
    if (key !== API_KEY)
      return sendJson(res, 401, { error: "bad key" }, { "www-authenticate": 'ApiKey realm="fake"' });
    return readBody(req).then((body) =>
      JSON.parse(body).method === "initialize"
        ? sendJson(res, 200, initializeResult, { "mcp-session-id": "session-1" })
        : sendJson(res, 400, {
            jsonrpc: "2.0",
            id: null,
            error: { code: -32000, message: "Bad Request: No valid session ID provided" },
          }),
    );
  }
  if (path === "/broken-oauth") {
    return sendJson(
      res,
      401,
      {},
      {
        "www-authenticate": `Bearer resource_metadata="${fakeOrigin}/.well-known/oauth-protected-resource/broken-oauth"`,
      },
    );
  }
  if (path === "/.well-known/oauth-protected-resource/broken-oauth") {
    return sendJson(res, 200, {
      resource: `${fakeOrigin}/broken-oauth`,
      authorization_servers: [fakeOrigin],
    });
  }
  if (path === "/.well-known/oauth-authorization-server") {
    return sendJson(res, 200, {
      issuer: fakeOrigin,
      authorization_endpoint: `${fakeOrigin}/authorize`,
      token_endpoint: `${fakeOrigin}/token`,
      registration_endpoint: `${fakeOrigin}/register`,
      code_challenge_methods_supported: ["S256"],
    });
  }
  // /cimd-oauth: an OAuth server whose AS (issuer `${fakeOrigin}/cimd`) accepts Tumiki's client metadata
  // document and sends iss.
  if (path === "/cimd-oauth") {
    return sendJson(res, 401, {}, { "www-authenticate": "Bearer" });
  }
  if (path === "/.well-known/oauth-protected-resource/cimd-oauth") {
    return sendJson(res, 200, {
      resource: `${fakeOrigin}/cimd-oauth`,
      authorization_servers: [`${fakeOrigin}/cimd`],
    });
  }
  if (path === "/.well-known/oauth-authorization-server/cimd") {
    return sendJson(res, 200, {
      issuer: `${fakeOrigin}/cimd`,
      authorization_endpoint: `${fakeOrigin}/cimd/authorize`,
      token_endpoint: `${fakeOrigin}/cimd/token`,
      code_challenge_methods_supported: ["S256"],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
  }
  if (path === "/register") {
    fake.registrations += 1;
    return sendJson(res, 500, { error: "server_error" });
  }
  return sendJson(res, 404, {});
}

beforeAll(async () => {
  fakeServer = createServer(handleFake);
  await new Promise<void>((resolve) => fakeServer.listen(0, "127.0.0.1", resolve));
  const fakePort = (fakeServer.address() as AddressInfo).port;
  fakeOrigin = `http://localhost:${fakePort}`;
  demo = await startDemoBackend({ port: 0 });
  const demoPort = new URL(demo.origin).port;
  modernKeyed = await startModernBackend({ legacy: "reject", apiKey: API_KEY });
  modernOpen = await startModernBackend({ legacy: "reject" });
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = [fakePort, demoPort]
    .flatMap((port) => [`localhost:${port}`, `127.0.0.1:${port}`])
    .concat([modernKeyed.hostPort, modernOpen.hostPort])
    .join(",");
  resetEnvCache();
});

afterAll(async () => {
  await demo?.close();
  await modernKeyed?.close();
  await modernOpen?.close();
  await new Promise((resolve) => fakeServer?.close(resolve));
});

describe("checkServer", () => {
  it("finds no authentication on an open server", async () => {
    const user = await createUser();
    await expect(checkServer({ userId: user.id, url: `${fakeOrigin}/open` })).resolves.toMatchObject({
      kind: "discovered",
      discovery: { authType: "NONE" },
      registration: null,
      redirectUri: "",
      ownCredentialsRedirectUri: "",
    });
  });

  it("shows an OAuth server's authorization server, scopes and how Tumiki would register", async () => {
    const user = await createUser();
    const check = await checkServer({ userId: user.id, url: demo.mcpUrl });
    expect(check).toMatchObject({
      kind: "discovered",
      discovery: {
        authType: "OAUTH",
        resourceMetadataUrl: demo.resourceMetadataUrl,
        scopes: ["notes:read", "notes:write"],
        authorizationServer: { issuer: demo.issuer },
      },
      // APP_URL is http in tests: CIMD needs an https client_id, so DCR it is.
      registration: "dcr",
      // DCR registers the issuer's own URI, which an application registered by hand must list too.
      redirectUri: getBackendRedirectUri({ issuer: demo.issuer, registrationType: "DCR" }),
      ownCredentialsRedirectUri: getBackendRedirectUri({
        issuer: demo.issuer,
        registrationType: "PRE_REGISTERED",
      }),
    });
    expect((check as { redirectUri: string }).redirectUri).toMatch(
      /^http:\/\/localhost:3000\/oauth\/callback\/[A-Za-z0-9_-]{22}$/,
    );
  });

  it("shows the shared callback as the redirect URI when Tumiki would register with its metadata document", async () => {
    const user = await createUser();
    const originalAppUrl = process.env.APP_URL;
    process.env.APP_URL = "https://tumiki.example.com";
    resetEnvCache();
    try {
      const check = await checkServer({ userId: user.id, url: `${fakeOrigin}/cimd-oauth` });
      expect(check).toMatchObject({
        kind: "discovered",
        registration: "cimd",
        redirectUri: "https://tumiki.example.com/oauth/callback",
        ownCredentialsRedirectUri: getBackendRedirectUri({
          issuer: `${fakeOrigin}/cimd`,
          registrationType: "PRE_REGISTERED",
        }),
      });
      expect((check as { ownCredentialsRedirectUri: string }).ownCredentialsRedirectUri).toMatch(
        /^https:\/\/tumiki\.example\.com\/oauth\/callback\/[A-Za-z0-9_-]{22}$/,
      );
    } finally {
      process.env.APP_URL = originalAppUrl;
      resetEnvCache();
    }
  });

  it("reports a server that refuses with another scheme than Bearer as expecting an API key", async () => {
    const user = await createUser();
    const check = await checkServer({ userId: user.id, url: `${fakeOrigin}/keyed` });
    expect(check).toMatchObject({ kind: "api_key_expected", message: expect.stringContaining("API key") });
  });

  it("counts every check against the user's backendOutbound budget, refusing before contacting the URL", async () => {
    const policy = RATE_LIMIT_POLICIES.backendOutbound;
    await waitForFreshWindow(policy);
    const user = await createUser();
    const before = fake.probes.open;
    for (let i = 0; i < policy.attempts; i += 1)
      await checkServer({ userId: user.id, url: `${fakeOrigin}/open` });

    const error = await errorOf(checkServer({ userId: user.id, url: `${fakeOrigin}/open` }));

    expect(error).toBeInstanceOf(RateLimitError);
    expect(fake.probes.open - before).toBe(policy.attempts);
  });
});

describe("addServer without authentication", () => {
  it("creates a private server and a connected connection, named after the host, and audits it", async () => {
    const user = await createUser();
    const url = `${fakeOrigin}/open`;
    const added = await addServer({
      userId: user.id,
      url,
      auth: { type: "none" },
      origin: { ip: "192.0.2.1", userAgent: "servers-test" },
    });

    expect(added).toMatchObject({ name: new URL(fakeOrigin).host, needsAuthorization: false });
    const server = await db.mcpServer.findUniqueOrThrow({ where: { id: added.serverId } });
    expect(server).toMatchObject({ authType: "NONE", ownerUserId: user.id, url, apiKeyHeaderName: null });
    const connection = await db.userMcpConfig.findUniqueOrThrow({ where: { id: added.connectionId } });
    expect(connection).toMatchObject({
      userId: user.id,
      mcpServerId: server.id,
      status: "CONNECTED",
      apiKey: null,
    });
    await flushAuditEvents();
    expect(await db.auditLog.findMany({ where: { actorUserId: user.id } })).toMatchObject([
      { eventType: "backend.connected", outcome: "SUCCESS", mcpServerId: server.id, ip: "192.0.2.1" },
    ]);
  });

  it("refuses a server that asks for OAuth, and writes nothing", async () => {
    const user = await createUser();
    const error = await errorOf(
      addServer({ userId: user.id, name: "Demo", url: demo.mcpUrl, auth: { type: "none" } }),
    );

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).userMessage).toMatch(/OAuth/);
    expect(await db.mcpServer.count({ where: { ownerUserId: user.id } })).toBe(0);
  });

  it("refuses a server it cannot reach, with the reason in words", async () => {
    const user = await createUser();
    const error = await errorOf(
      addServer({ userId: user.id, name: "Gone", url: `${fakeOrigin}/missing`, auth: { type: "none" } }),
    );

    expect((error as AppError).userMessage).toMatch(/HTTP 404/);
    expect(await db.mcpServer.count({ where: { ownerUserId: user.id } })).toBe(0);
  });
});

describe("addServer with an API key", () => {
  it("checks the key at the server, stores it encrypted and connects", async () => {
    const user = await createUser();
    const deletesBefore = fake.sessionDeletes;
    const added = await addServer({
      userId: user.id,
      name: "Keyed",
      url: `${fakeOrigin}/keyed`,
      auth: { type: "api_key", headerName: "X-API-Key", apiKey: ` ${API_KEY} ` },
    });

    expect(added.needsAuthorization).toBe(false);
    const server = await db.mcpServer.findUniqueOrThrow({ where: { id: added.serverId } });
    expect(server).toMatchObject({ authType: "API_KEY", apiKeyHeaderName: "X-API-Key" });
    const connection = await db.userMcpConfig.findUniqueOrThrow({ where: { id: added.connectionId } });
    expect(connection).toMatchObject({ status: "CONNECTED", apiKey: API_KEY });
    const [raw] = await db.$queryRaw<{ apiKey: string }[]>`
      SELECT "apiKey" FROM "UserMcpConfig" WHERE id = ${added.connectionId}`;
    expect(raw?.apiKey).toBeTruthy();
    expect(raw?.apiKey).not.toContain(API_KEY);
    // The check's session was ended rather than left to expire.
    expect(fake.sessionDeletes).toBe(deletesBefore + 1);
  });

  it("refuses a wrong key at once and writes nothing", async () => {
    const user = await createUser();
    const error = await errorOf(
      addServer({
        userId: user.id,
        name: "Keyed",
        url: `${fakeOrigin}/keyed`,
        auth: { type: "api_key", headerName: "X-API-Key", apiKey: "wrong-key" },
      }),
    );

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("BAD_REQUEST");
    expect((error as AppError).userMessage).toMatch(/refused this API key/);
    expect(fake.keysSeen).toContain("wrong-key");
    expect(await db.mcpServer.count({ where: { ownerUserId: user.id } })).toBe(0);
  });

  it.each([
    ["a reserved header", { headerName: "Content-Length", apiKey: "k" }],
    ["a header name that is no token", { headerName: "X API Key", apiKey: "k" }],
    ["a line break in the key", { headerName: "X-API-Key", apiKey: "k\r\nX-Evil: 1" }],
    ["a key over 4096 characters", { headerName: "X-API-Key", apiKey: "k".repeat(4097) }],
  ])("refuses %s before contacting the server", async (_case, auth) => {
    const user = await createUser();
    const probes = fake.probes.keyed;
    const error = await errorOf(
      addServer({ userId: user.id, url: `${fakeOrigin}/keyed`, auth: { type: "api_key", ...auth } }),
    );
    expect(error).toBeInstanceOf(ZodError);
    expect(fake.probes.keyed).toBe(probes);
  });
});

describe("a server that speaks only MCP 2026-07-28 (it refuses initialize)", () => {
  it("is found to need no authentication, by server/discover", async () => {
    const user = await createUser();
    modernOpen.clear();
    await expect(checkServer({ userId: user.id, url: modernOpen.mcpUrl })).resolves.toMatchObject({
      kind: "discovered",
      discovery: { authType: "NONE" },
    });
    expect(modernOpen.requests().map((request) => request.rpcMethod)).toEqual(["server/discover"]);
  });

  it("has its API key checked by server/discover, and a wrong key refused", async () => {
    const user = await createUser();
    modernKeyed.clear();
    const added = await addServer({
      userId: user.id,
      name: "Modern keyed",
      url: modernKeyed.mcpUrl,
      auth: { type: "api_key", headerName: modernKeyed.apiKeyHeader, apiKey: API_KEY },
    });
    expect(added.needsAuthorization).toBe(false);
    const recorded = modernKeyed.requests();
    expect(recorded.map((request) => [request.rpcMethod, request.status])).toEqual([
      ["server/discover", 200],
    ]);

    const refused = await errorOf(
      addServer({
        userId: (await createUser()).id,
        name: "Modern keyed",
        url: modernKeyed.mcpUrl,
        auth: { type: "api_key", headerName: modernKeyed.apiKeyHeader, apiKey: "wrong-key" },
      }),
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).userMessage).toMatch(/refused this API key/);
  });
});

describe("addServer with OAuth", () => {
  it("registers Tumiki with the server's authorization server and leaves the connection pending", async () => {
    const user = await createUser();
    const registrations = demo.stats.registrations;
    const added = await addServer({
      userId: user.id,
      name: "Demo notes",
      url: demo.mcpUrl,
      auth: { type: "oauth" },
    });

    expect(added).toMatchObject({ slug: expect.stringMatching(/^demo-notes/), needsAuthorization: true });
    expect(await db.mcpServer.findUniqueOrThrow({ where: { id: added.serverId } })).toMatchObject({
      authType: "OAUTH",
      ownerUserId: user.id,
      url: demo.mcpUrl,
    });
    expect(await db.userMcpConfig.findUniqueOrThrow({ where: { id: added.connectionId } })).toMatchObject({
      status: "PENDING",
    });
    expect(await db.oAuthClient.findMany({ where: { mcpServerId: added.serverId } })).toMatchObject([
      {
        issuer: demo.issuer,
        registrationType: "DCR",
        resourceIndicator: demo.mcpUrl,
        issParameterSupported: true,
      },
    ]);
    expect(demo.stats.registrations).toBe(registrations + 1);
    await flushAuditEvents();
    expect(
      await db.auditLog.findMany({
        where: { eventType: "backend.client_registered", mcpServerId: added.serverId },
        select: { actorUserId: true },
      }),
    ).toEqual([{ actorUserId: user.id }]);
    expect(await listUserServers({ userId: user.id })).toMatchObject([
      {
        serverId: added.serverId,
        authType: "OAUTH",
        state: { status: "not_connected", action: "connect", canRefresh: false },
      },
    ]);
  });

  it("uses the user's own client credentials instead of registering", async () => {
    const user = await createUser();
    const registrations = demo.stats.registrations;
    const added = await addServer({
      userId: user.id,
      name: "Own",
      url: demo.mcpUrl,
      auth: { type: "oauth", preRegistered: { clientId: "my-app", clientSecret: "my-secret" } },
    });

    const [client] = await db.oAuthClient.findMany({ where: { mcpServerId: added.serverId } });
    expect(client).toMatchObject({
      registrationType: "PRE_REGISTERED",
      clientId: "my-app",
      clientSecret: "my-secret",
    });
    expect(demo.stats.registrations).toBe(registrations);
  });

  it("leaves nothing behind when registration fails", async () => {
    const user = await createUser();
    const registrations = fake.registrations;
    const error = await errorOf(
      addServer({
        userId: user.id,
        name: "Broken",
        url: `${fakeOrigin}/broken-oauth`,
        auth: { type: "oauth" },
      }),
    );

    expect(error).toBeInstanceOf(AppError);
    expect(fake.registrations).toBe(registrations + 1);
    expect(await db.mcpServer.count({ where: { ownerUserId: user.id } })).toBe(0);
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.mcpServer.count({ where: { url: `${fakeOrigin}/broken-oauth` } })).toBe(0);
  });

  it("refuses OAuth for a server without authentication", async () => {
    const user = await createUser();
    const error = await errorOf(
      addServer({ userId: user.id, url: `${fakeOrigin}/open`, auth: { type: "oauth" } }),
    );

    expect((error as AppError).userMessage).toMatch(/does not ask for a sign-in/);
    expect(await db.mcpServer.count({ where: { ownerUserId: user.id } })).toBe(0);
  });
});

describe("the server catalog", () => {
  async function createCatalogServer(data: {
    name: string;
    url: string;
    authType: "NONE" | "OAUTH" | "API_KEY";
  }) {
    counter += 1;
    return db.mcpServer.create({ data: { ...data, slug: `catalog-${counter}-${Date.now()}` } });
  }

  it("lists shared servers with the user's own connection, never private ones", async () => {
    const user = await createUser();
    const shared = await createCatalogServer({
      name: "Shared open",
      url: `${fakeOrigin}/open`,
      authType: "NONE",
    });
    const other = await createUser();
    const privateOne = await createServerConnection({
      userId: other.id,
      name: "Private",
      url: "https://p.example/mcp",
      authType: "NONE",
      status: "CONNECTED",
    });

    const before = await listServerCatalog({ userId: user.id });
    expect(before.find((server) => server.serverId === shared.id)).toMatchObject({
      connectionId: null,
      state: { status: "not_connected", action: "connect" },
    });
    expect(before.some((server) => server.serverId === privateOne.serverId)).toBe(false);

    const connected = await connectCatalogServer({ userId: user.id, serverId: shared.id });
    expect(connected.needsAuthorization).toBe(false);
    const after = await listServerCatalog({ userId: user.id });
    expect(after.find((server) => server.serverId === shared.id)).toMatchObject({
      connectionId: connected.connectionId,
      state: { status: "connected", action: null },
    });
    // Connecting again returns the same connection.
    expect(await connectCatalogServer({ userId: user.id, serverId: shared.id })).toEqual(connected);
    expect(await listUserServers({ userId: user.id })).toMatchObject([
      { serverId: shared.id, isCatalog: true },
    ]);
  });

  it("connects users to an OAuth catalog server through one shared client registration", async () => {
    const shared = await createCatalogServer({ name: "Shared demo", url: demo.mcpUrl, authType: "OAUTH" });
    const first = await createUser();
    const second = await createUser();
    const registrations = demo.stats.registrations;

    const a = await connectCatalogServer({ userId: first.id, serverId: shared.id });
    const b = await connectCatalogServer({ userId: second.id, serverId: shared.id });

    expect(a).toMatchObject({ serverId: shared.id, needsAuthorization: true });
    expect(b).toMatchObject({ serverId: shared.id, needsAuthorization: true });
    expect(demo.stats.registrations).toBe(registrations + 1);
    expect(await db.oAuthClient.count({ where: { mcpServerId: shared.id } })).toBe(1);
    expect(await db.userMcpConfig.findUniqueOrThrow({ where: { id: a.connectionId } })).toMatchObject({
      status: "PENDING",
    });

    // One user's own credentials must not replace the client every user signs in through.
    const error = await errorOf(
      connectCatalogServer({
        userId: second.id,
        serverId: shared.id,
        // @ts-expect-error -- the input has no credentials field; a crafted request may still send one.
        preRegistered: { clientId: "mine" },
      }),
    );
    expect(error).toBeInstanceOf(ZodError);
    expect(await db.oAuthClient.findFirstOrThrow({ where: { mcpServerId: shared.id } })).toMatchObject({
      registrationType: "DCR",
    });
  });

  it("refuses a user's own credentials for a catalog server that has no client yet, registering nothing", async () => {
    const shared = await createCatalogServer({
      name: "Unregistered demo",
      url: demo.mcpUrl,
      authType: "OAUTH",
    });
    const user = await createUser();
    const registrations = demo.stats.registrations;

    const error = await errorOf(
      connectCatalogServer({
        userId: user.id,
        serverId: shared.id,
        // @ts-expect-error -- the input has no credentials field; a crafted request may still send one.
        preRegistered: { clientId: "attacker-app", clientSecret: "attacker-secret" },
      }),
    );

    expect(error).toBeInstanceOf(ZodError);
    expect(await db.oAuthClient.count({ where: { mcpServerId: shared.id } })).toBe(0);
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
    expect(demo.stats.registrations).toBe(registrations);
  });

  it("refuses another user's private server and a catalog server that needs a personal API key", async () => {
    const user = await createUser();
    const owner = await createUser();
    const privateOne = await createServerConnection({
      userId: owner.id,
      name: "Private",
      url: `${fakeOrigin}/open`,
      authType: "NONE",
      status: "CONNECTED",
    });
    const keyed = await createCatalogServer({
      name: "Keyed",
      url: `${fakeOrigin}/keyed`,
      authType: "API_KEY",
    });

    expect(
      ((await errorOf(connectCatalogServer({ userId: user.id, serverId: privateOne.serverId }))) as AppError)
        .code,
    ).toBe("NOT_FOUND");
    expect(
      ((await errorOf(connectCatalogServer({ userId: user.id, serverId: keyed.id }))) as AppError).code,
    ).toBe("BAD_REQUEST");
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("server input and slugs", () => {
  it.each([
    "http://example.com/mcp",
    "ftp://example.com",
    "javascript:alert(1)",
    "https://user:pw@example.com/mcp",
    "https://example.com/mcp#frag",
    "http://10.0.0.1/mcp",
    "not a url",
  ])("refuses the URL %s before contacting anything, and writes nothing", async (url) => {
    const user = await createUser();
    const error = await errorOf(addServer({ userId: user.id, name: "Bad", url, auth: { type: "none" } }));
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues).toMatchObject([{ path: ["url"] }]);
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
  });

  it.each([
    "https://example.com/mcp",
    "http://localhost:3999/mcp",
    "http://127.0.0.1:8080/mcp",
  ])("accepts the URL %s", (url) => {
    expect(ZAddServerInput.safeParse({ url, auth: { type: "none" } }).success).toBe(true);
  });

  it("makes a taken slug unique with a short suffix, across users", async () => {
    const first = await createUser();
    const second = await createUser();
    const create = (userId: string, name: string) =>
      createServerConnection({
        userId,
        name,
        url: "https://a.example",
        authType: "NONE",
        status: "CONNECTED",
      });
    const a = await create(first.id, "Linear");
    const b = await create(second.id, "linear");
    const c = await create(first.id, "LINEAR");

    expect(a.slug).toBe("linear");
    expect(b.slug).toMatch(/^linear-[0-9a-f]{6}$/);
    expect(c.slug).toMatch(/^linear-[0-9a-f]{6}$/);
    expect(new Set([a.slug, b.slug, c.slug]).size).toBe(3);
  });

  it("gives concurrent adds of one name distinct slugs (the unique index decides)", async () => {
    const user = await createUser();
    const added = await Promise.all(
      [1, 2, 3, 4].map(() =>
        createServerConnection({
          userId: user.id,
          name: "Race",
          url: "https://r.example",
          authType: "NONE",
          status: "CONNECTED",
        }),
      ),
    );
    expect(new Set(added.map((server) => server.slug)).size).toBe(4);
    expect(added.map((server) => server.slug)).toContain("race");
  });

  it("derives a valid slug from any name", async () => {
    const user = await createUser();
    for (const name of ["日本語", "--", "A".repeat(80), "x_y.z"]) {
      const added = await createServerConnection({
        userId: user.id,
        name,
        url: "https://n.example",
        authType: "NONE",
        status: "CONNECTED",
      });
      expect(isServerSlug(added.slug), added.slug).toBe(true);
    }
  });
});

describe("listUserServers and removeUserServer", () => {
  const createOpen = (userId: string, name: string) =>
    createServerConnection({
      userId,
      name,
      url: `https://${name.toLowerCase()}.example`,
      authType: "NONE",
      status: "CONNECTED",
    });

  it("lists only the user's own servers, with the instances that use them", async () => {
    const user = await createUser();
    const other = await createUser();
    const mine = await createOpen(user.id, "Mine");
    await createOpen(other.id, "Theirs");
    const instance = await createInstance({ userId: user.id, name: "Work" });
    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [mine.connectionId],
    });

    expect(await listUserServers({ userId: user.id })).toEqual([
      expect.objectContaining({
        connectionId: mine.connectionId,
        name: "Mine",
        authType: "NONE",
        state: { status: "connected", action: null, canRefresh: false },
        isCatalog: false,
        instanceNames: ["Work"],
      }),
    ]);
  });

  it("says which OAuth connections need the user to sign in: all of them until they hold a token", async () => {
    const user = await createUser();
    const statuses = ["PENDING", "NEEDS_REAUTH", "CONNECTED", "ERROR"] as const;
    for (const status of statuses) {
      await createServerConnection({
        userId: user.id,
        name: status,
        url: "https://o.example",
        authType: "OAUTH",
        status,
      });
    }
    const listed = await listUserServers({ userId: user.id });
    expect(listed.map((server) => [server.name, server.state.status, server.state.action])).toEqual([
      ["PENDING", "not_connected", "connect"],
      ["NEEDS_REAUTH", "needs_reauth", "reconnect"],
      ["CONNECTED", "not_connected", "connect"],
      ["ERROR", "not_connected", "connect"],
    ]);
  });

  it("removes the user's private server, its instance links and its OAuth client", async () => {
    const user = await createUser();
    const added = await addServer({
      userId: user.id,
      name: "Gone",
      url: demo.mcpUrl,
      auth: { type: "oauth" },
    });
    const open = await createOpen(user.id, "Open");
    const instance = await createInstance({ userId: user.id, name: "Work" });
    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [open.connectionId],
    });

    await removeUserServer({ userId: user.id, connectionId: added.connectionId });
    await removeUserServer({ userId: user.id, connectionId: open.connectionId });

    expect(await db.mcpServer.count({ where: { id: { in: [added.serverId, open.serverId] } } })).toBe(0);
    expect(await db.oAuthClient.count({ where: { mcpServerId: added.serverId } })).toBe(0);
    expect(await db.mcpInstanceConnection.count({ where: { instanceId: instance.id } })).toBe(0);
    expect(await listUserServers({ userId: user.id })).toEqual([]);
    await flushAuditEvents();
    expect(
      await db.auditLog.count({ where: { actorUserId: user.id, eventType: "backend.disconnected" } }),
    ).toBe(2);
  });

  it("keeps a catalog server when a user disconnects from it", async () => {
    const user = await createUser();
    counter += 1;
    const catalog = await db.mcpServer.create({
      data: { name: "Catalog", slug: `catalog-keep-${counter}`, url: "https://cat.example" },
    });
    const connection = await db.userMcpConfig.create({ data: { userId: user.id, mcpServerId: catalog.id } });

    await removeUserServer({ userId: user.id, connectionId: connection.id });

    expect(await db.mcpServer.findUnique({ where: { id: catalog.id } })).not.toBeNull();
    expect(await db.userMcpConfig.findUnique({ where: { id: connection.id } })).toBeNull();
  });

  it("refuses to remove another user's server", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const added = await createOpen(owner.id, "Kept");

    const error = await errorOf(removeUserServer({ userId: stranger.id, connectionId: added.connectionId }));

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("NOT_FOUND");
    expect(await db.mcpServer.findUnique({ where: { id: added.serverId } })).not.toBeNull();
  });
});
