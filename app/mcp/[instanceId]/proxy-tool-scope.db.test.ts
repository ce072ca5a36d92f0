import { auth as sdkAuth } from "@modelcontextprotocol/sdk/client/auth.js";
import { decodeJwt } from "jose";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as getAuthorizationServerMetadata } from "@/app/.well-known/oauth-authorization-server/route";
import { GET as getProtectedResourceMetadata } from "@/app/.well-known/oauth-protected-resource/mcp/[instanceId]/route";
import ConsentPage from "@/app/oauth/authorize/consent/page";
import { POST as decide } from "@/app/oauth/authorize/decision/route";
import { GET as authorize } from "@/app/oauth/authorize/route";
import { POST as register } from "@/app/oauth/register/route";
import { POST as token } from "@/app/oauth/token/route";
import { InMemoryOAuthClientProvider } from "@/e2e/support/in-memory-oauth-client-provider";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { createApiKey } from "@/server/auth/api-keys/create-api-key";
import { createM2mClient } from "@/server/auth/clients/create-m2m-client";
import { issueAccessToken } from "@/server/auth/tokens/issue-access-token";
import { getDb } from "@/server/db";
import { connectLegacyClient, connectModernClient } from "@/server/testing/era-clients";
import {
  addRecordingServer,
  allowBackendHosts,
  createProxyInstance,
  readResultText,
  readRpcResponse,
  setTestEnv,
} from "@/server/testing/proxy-fixtures";
import { openLegacy, postModern, type TRawTarget } from "@/server/testing/raw-mcp-requests";
import { startRecordingMcpBackend, type TRecordingBackend } from "@/server/testing/recording-mcp-backend";
import {
  serveRouteHandlers,
  type TRouteHandler,
  type TServedRouteHandlers,
} from "@/server/testing/serve-route-handlers";
import { createTestAiClient, createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Tool scopes (`mcp:access:<slug>:<tool>`) end to end, for each kind of credential: an API key, a
// machine-to-machine client's token from client_credentials, and an OAuth client that asks for a tool
// scope through the MCP SDK's own authorization flow (discovery, registration, the consent page, the
// decision, the code exchange), all over real HTTP on one origin, against real recording backends.
// A tool scope shows exactly its tool: no other tool of that server, none of its prompts or resources;
// a call to another tool of the server is 403 naming that tool's scope. The instance's tool choice
// still applies (a hidden tool stays unknown whatever the scopes), and a tool scope of a server the
// instance does not bundle opens nothing and cannot be granted.

const session = vi.hoisted(() => ({ current: null as null | { user: { id: string } } }));
vi.mock("@/server/next-auth", () => ({ auth: async () => session.current }));

const REDIRECT = "http://127.0.0.1:33418/callback";

let served: TServedRouteHandlers;
let alphaBackend: TRecordingBackend;
let betaBackend: TRecordingBackend;
let gammaBackend: TRecordingBackend;
let userId: string;
/** Bundled in the instance. */
let alpha: { slug: string; connectionId: string };
let beta: { slug: string; connectionId: string };
/** The user's server, but not in the instance. */
let gamma: { slug: string; connectionId: string };
let instanceId: string;
let mcpUrl: string;
const undo: (() => void)[] = [];
const closers: (() => Promise<unknown>)[] = [];

const asHandler = (handler: unknown) => handler as TRouteHandler;

async function issueToken(scopes: string[]) {
  const { client } = await createTestAiClient();
  return (await issueAccessToken({ client, userId, instanceId, scopes })).accessToken;
}

beforeAll(async () => {
  served = await serveRouteHandlers({
    handlers: { GET, POST, DELETE },
    routes: [
      {
        path: /^\/\.well-known\/oauth-protected-resource\/mcp\/([^/]+)$/,
        handlers: { GET: asHandler(getProtectedResourceMetadata) },
      },
      {
        path: /^\/\.well-known\/oauth-authorization-server$/,
        handlers: { GET: asHandler(getAuthorizationServerMetadata) },
      },
      { path: /^\/oauth\/register$/, handlers: { POST: asHandler(register) } },
      { path: /^\/oauth\/authorize$/, handlers: { GET: asHandler(authorize) } },
      { path: /^\/oauth\/authorize\/decision$/, handlers: { POST: asHandler(decide) } },
      { path: /^\/oauth\/token$/, handlers: { POST: asHandler(token) } },
    ],
  });
  // Tokens, issuer, resource URLs and the consent form's Origin check all name this server.
  undo.push(setTestEnv({ APP_URL: served.origin }));
  [alphaBackend, betaBackend, gammaBackend] = await Promise.all([
    startRecordingMcpBackend({ name: "alpha" }),
    startRecordingMcpBackend({ name: "beta" }),
    startRecordingMcpBackend({ name: "gamma" }),
  ]);
  undo.push(allowBackendHosts([alphaBackend.hostPort, betaBackend.hostPort, gammaBackend.hostPort]));

  userId = (await createTestUser()).id;
  session.current = { user: { id: userId } };
  alpha = await addRecordingServer({ userId, backend: alphaBackend, name: "Alpha" });
  beta = await addRecordingServer({ userId, backend: betaBackend, name: "Beta" });
  gamma = await addRecordingServer({ userId, backend: gammaBackend, name: "Gamma" });
  expect(alpha.slug < beta.slug).toBe(true);
  instanceId = (await createProxyInstance({ userId, connectionIds: [alpha.connectionId, beta.connectionId] }))
    .id;
  mcpUrl = served.mcpUrl(instanceId);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await Promise.all([alphaBackend?.close(), betaBackend?.close(), gammaBackend?.close()]);
  await served?.close();
  for (const restore of undo.reverse()) restore();
});

/** Both eras' SDK clients on `url` with `bearer`, closed after the file. */
async function connectBoth(url: string, bearer: string) {
  const legacy = (await connectLegacyClient({ url, bearer })).client;
  const modern = (await connectModernClient({ url, bearer })).client;
  closers.push(
    () => legacy.close(),
    () => modern.close(),
  );
  expect(modern.getProtocolEra()).toBe("modern");
  return [
    { era: "2025-11-25", client: legacy },
    { era: "2026-07-28", client: modern },
  ] as const;
}

type TEraClient = Awaited<ReturnType<typeof connectBoth>>[number]["client"];

async function listAll(client: TEraClient) {
  const [tools, prompts, resources, templates] = await Promise.all([
    client.listTools(),
    client.listPrompts(),
    client.listResources(),
    client.listResourceTemplates(),
  ]);
  return {
    tools: tools.tools.map((tool) => tool.name),
    prompts: prompts.prompts.map((prompt) => prompt.name),
    resources: resources.resources.map((resource) => resource.uri),
    templates: templates.resourceTemplates.map((template) => template.uriTemplate),
  };
}

/** A raw tools/call in both eras; returns each HTTP response. */
async function rawCallBothEras(target: TRawTarget, name: string) {
  const legacy = await openLegacy(target);
  const legacyResponse = await legacy.post({
    jsonrpc: "2.0",
    id: 7,
    method: "tools/call",
    params: { name, arguments: { text: "x" } },
  });
  const modernResponse = await postModern(target, {
    id: 8,
    method: "tools/call",
    params: { name, arguments: { text: "x" } },
  });
  return [legacyResponse, modernResponse];
}

async function expectInsufficientScope(response: Response, scope: string) {
  expect(response.status).toBe(403);
  const challenge = response.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain('error="insufficient_scope"');
  expect(challenge).toContain(`scope="${scope}"`);
  expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
}

/** What a client with only `echo` of alpha sees and may do, in both eras. */
async function expectOnlyAlphaEcho(bearer: string) {
  for (const { era, client } of await connectBoth(mcpUrl, bearer)) {
    expect(await listAll(client), era).toEqual({
      tools: [`${alpha.slug}__echo`],
      prompts: [],
      resources: [],
      templates: [],
    });
    const echoed = await client.callTool({ name: `${alpha.slug}__echo`, arguments: { text: `hi ${era}` } });
    expect(readResultText(echoed)).toBe(`hi ${era}`);
    // The SDKs give up on a 403 they cannot answer with an authorization of their own (none here).
    const refused = client.callTool({ name: `${alpha.slug}__slow`, arguments: { ms: 1 } });
    await expect(refused, era).rejects.toThrow(
      era === "2026-07-28"
        ? `Insufficient scope: required "mcp:access:${alpha.slug}:slow"`
        : `"error":"insufficient_scope","error_description":"This request needs the scope mcp:access:${alpha.slug}:slow."`,
    );
  }
  const target = { url: mcpUrl, bearer };
  // Another tool of the same server: that tool's own scope is named (the token was given tools one by one).
  for (const response of await rawCallBothEras(target, `${alpha.slug}__slow`)) {
    await expectInsufficientScope(response, `mcp:access:${alpha.slug}:slow`);
  }
  // A tool of a server the token holds nothing of: the server's scope.
  for (const response of await rawCallBothEras(target, `${beta.slug}__echo`)) {
    await expectInsufficientScope(response, `mcp:access:${beta.slug}`);
  }
  // The 2026 SDK does not even ask for lists the server does not advertise; asked raw, they are empty.
  for (const [method, key] of [
    ["prompts/list", "prompts"],
    ["resources/list", "resources"],
    ["resources/templates/list", "resourceTemplates"],
  ] as const) {
    const answer = await readRpcResponse(await postModern(target, { id: 10, method }), 10);
    expect(answer.result?.[key], method).toEqual([]);
  }
  // The server's prompts are not the tool's.
  const legacy = await openLegacy(target);
  const prompt = await legacy.post({
    jsonrpc: "2.0",
    id: 9,
    method: "prompts/get",
    params: { name: `${alpha.slug}__greet`, arguments: { name: "Ada" } },
  });
  await expectInsufficientScope(prompt, `mcp:access:${alpha.slug}`);
}

describe("an API key with only a tool scope", () => {
  it("(control) with the server's scope, sees all of the server: its tools, prompt and resources", async () => {
    const { key } = await createApiKey({
      userId,
      instanceId,
      name: "alpha",
      scopes: [`mcp:access:${alpha.slug}`],
    });
    for (const { era, client } of await connectBoth(mcpUrl, key)) {
      const seen = await listAll(client);
      expect(seen.tools, era).toEqual([`${alpha.slug}__echo`, `${alpha.slug}__slow`]);
      expect(seen.prompts, era).toEqual([`${alpha.slug}__greet`]);
      expect(seen.resources.length + seen.templates.length, era).toBeGreaterThan(0);
    }
    const answer = await readRpcResponse(
      await postModern({ url: mcpUrl, bearer: key }, { id: 1, method: "prompts/list" }),
      1,
    );
    expect(answer.result?.prompts).toHaveLength(1);
  });

  it("lists and calls only that tool, in both eras, and is refused the server's other tools", async () => {
    const { key } = await createApiKey({
      userId,
      instanceId,
      name: "echo only",
      scopes: [`mcp:access:${alpha.slug}:echo`],
    });
    const slowBefore = alphaBackend.toolCalls.filter((call) => call.tool === "slow").length;
    await expectOnlyAlphaEcho(key);
    expect(alphaBackend.toolCalls.filter((call) => call.tool === "slow")).toHaveLength(slowBefore);
    expect(betaBackend.toolCalls).toEqual([]);

    await flushAuditEvents();
    const denied = await getDb().auditLog.findFirst({
      where: {
        eventType: "mcp.scope_denied",
        instanceId,
        detail: { path: ["requiredScope"], equals: `mcp:access:${alpha.slug}:slow` },
      },
    });
    expect(denied?.outcome).toBe("DENIED");
  });

  it("learns nothing of a server's tools outside its scopes, and nothing is listed on its behalf", async () => {
    const { key } = await createApiKey({
      userId,
      instanceId,
      name: "alpha only",
      scopes: [`mcp:access:${alpha.slug}`],
    });
    const betaLists = () => betaBackend.requests.filter((r) => r.rpcMethod === "tools/list").length;
    const before = betaLists();
    // A tool beta has and a name it has not: the same 403, naming beta's scope.
    for (const name of [`${beta.slug}__echo`, `${beta.slug}__no_such_tool`]) {
      for (const response of await rawCallBothEras({ url: mcpUrl, bearer: key }, name)) {
        await expectInsufficientScope(response, `mcp:access:${beta.slug}`);
      }
    }
    expect(betaLists()).toBe(before);
  });

  it("sees no tool of a longer name, and a tool scope of a prefix slug opens nothing", async () => {
    // An access token as the token endpoint would issue it: the scope strings are the subject here.
    const accessToken = await issueToken([
      `mcp:access:${alpha.slug}:ech`,
      `mcp:access:${alpha.slug.slice(0, -1)}:echo`,
    ]);
    for (const { era, client } of await connectBoth(mcpUrl, accessToken)) {
      expect(await listAll(client), era).toEqual({ tools: [], prompts: [], resources: [], templates: [] });
    }
    for (const response of await rawCallBothEras(
      { url: mcpUrl, bearer: accessToken },
      `${alpha.slug}__echo`,
    )) {
      await expectInsufficientScope(response, `mcp:access:${alpha.slug}:echo`);
    }
  });
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

/** POST /oauth/token with client_credentials, over HTTP; returns the token response. */
async function clientCredentials(clientId: string, clientSecret: string, scope?: string) {
  const body = new URLSearchParams({ grant_type: "client_credentials", resource: mcpUrl });
  if (scope) body.set("scope", scope);
  const response = await fetch(`${served.origin}/oauth/token`, {
    method: "POST",
    headers: {
      authorization: basic(clientId, clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("a machine-to-machine client with a tool scope", () => {
  it("gets a token carrying it through client_credentials and sees only that tool", async () => {
    const scope = `mcp:access:${alpha.slug}:echo`;
    const created = await createM2mClient({ userId, instanceId, name: "echo bot", scopes: [scope] });
    const answer = await clientCredentials(created.clientId, created.clientSecret);
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe(scope);
    const accessToken = String(answer.body.access_token);
    expect(decodeJwt(accessToken).scope).toBe(scope);
    await expectOnlyAlphaEcho(accessToken);

    // Asking for more than the tool is widening.
    const wider = await clientCredentials(created.clientId, created.clientSecret, `mcp:access:${alpha.slug}`);
    expect(wider).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
  });

  it("narrows a server scope to one of its tools on request", async () => {
    const created = await createM2mClient({
      userId,
      instanceId,
      name: "alpha bot",
      scopes: [`mcp:access:${alpha.slug}`],
    });
    const scope = `mcp:access:${alpha.slug}:echo`;
    const answer = await clientCredentials(created.clientId, created.clientSecret, scope);
    expect(answer).toMatchObject({ status: 200, body: { scope } });
    await expectOnlyAlphaEcho(String(answer.body.access_token));
  });
});

/**
 * An OAuth client (the MCP SDK's auth(), DCR) authorized for `scope` by the signed-in user: the SDK is
 * sent to /oauth/authorize, which sends the browser to the consent page (rendered, then checked by
 * `checkConsentPage`), whose form is approved; the SDK then exchanges the code.
 */
async function authorizeThroughSdk(scope: string, checkConsentPage: (html: string) => void = () => {}) {
  const provider = new InMemoryOAuthClientProvider({
    clientName: "Tool scope client",
    redirectUri: REDIRECT,
  });
  // As after a 403 naming the scope (the SDK's scope selection: the challenge's scope first).
  expect(await sdkAuth(provider, { serverUrl: mcpUrl, scope })).toBe("REDIRECT");
  const authorizationUrl = provider.authorizationUrl;
  if (!authorizationUrl) throw new Error("the SDK did not ask for a redirect");
  expect(authorizationUrl.searchParams.get("scope")).toBe(scope);

  const toConsent = await fetch(authorizationUrl, { redirect: "manual" });
  expect(toConsent.status).toBe(303);
  const consentUrl = new URL(toConsent.headers.get("location") ?? "");
  expect(consentUrl.pathname).toBe("/oauth/authorize/consent");
  const signedRequest = consentUrl.searchParams.get("request") ?? "";
  const csrf = /tumiki-oauth-csrf=([^;]+)/.exec(toConsent.headers.get("set-cookie") ?? "")?.[1] ?? "";
  checkConsentPage(
    renderToStaticMarkup(await ConsentPage({ searchParams: Promise.resolve({ request: signedRequest }) })),
  );

  const decision = await fetch(`${served.origin}/oauth/authorize/decision`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: served.origin,
      cookie: `tumiki-oauth-csrf=${csrf}`,
    },
    body: new URLSearchParams({ request: signedRequest, csrf_token: csrf, decision: "approve" }),
  });
  expect(decision.status).toBe(303);
  const callback = new URL(decision.headers.get("location") ?? "");
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
  expect(callback.searchParams.get("state")).toBe(provider.lastState);
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code: ${callback.search}`);

  expect(await sdkAuth(provider, { serverUrl: mcpUrl, authorizationCode: code })).toBe("AUTHORIZED");
  const tokens = provider.tokens();
  const clientId = provider.clientInformation()?.client_id;
  if (!tokens?.refresh_token || !clientId) throw new Error("the SDK saved no refresh token or client");
  return { tokens: { ...tokens, refresh_token: tokens.refresh_token }, clientId };
}

/** POST /oauth/token with refresh_token (a public client), over HTTP. */
async function refresh(clientId: string, refreshToken: string, scope: string) {
  const response = await fetch(`${served.origin}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: clientId,
      scope,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("an OAuth client that asks for a tool scope", () => {
  it("gets it through the MCP SDK's authorization flow, after consent naming the tool, and sees only it", async () => {
    const scope = `mcp:access:${alpha.slug}:echo`;
    const { tokens } = await authorizeThroughSdk(scope, (html) => {
      expect(html).toContain(`Only the tool echo of Alpha (${alpha.slug})`);
      expect(html).toContain(scope);
      expect(html).not.toContain("Every server in");
    });
    expect(tokens.scope).toBe(scope);
    expect(decodeJwt(tokens.access_token).scope).toBe(scope);
    await expectOnlyAlphaEcho(tokens.access_token);
  });

  it("narrows a server grant to one tool on refresh; a tool grant never refreshes wider", async () => {
    const server = await authorizeThroughSdk(`mcp:access:${alpha.slug}`);
    const tool = `mcp:access:${alpha.slug}:echo`;
    const narrowed = await refresh(server.clientId, server.tokens.refresh_token, tool);
    expect(narrowed).toMatchObject({ status: 200, body: { scope: tool } });
    await expectOnlyAlphaEcho(String(narrowed.body.access_token));

    const toolOnly = await authorizeThroughSdk(tool);
    for (const wider of [`mcp:access:${alpha.slug}`, `mcp:access:${alpha.slug}:slow`, "mcp:access:*"]) {
      const answer = await refresh(toolOnly.clientId, toolOnly.tokens.refresh_token, wider);
      expect(answer, wider).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    }
  });

  it("is refused a tool scope of a server the instance does not bundle, like that server's scope", async () => {
    for (const scope of [`mcp:access:${gamma.slug}:echo`, `mcp:access:${gamma.slug}`]) {
      const provider = new InMemoryOAuthClientProvider({
        clientName: "Outside client",
        redirectUri: REDIRECT,
      });
      expect(await sdkAuth(provider, { serverUrl: mcpUrl, scope })).toBe("REDIRECT");
      const response = await fetch(provider.authorizationUrl ?? "", { redirect: "manual" });
      // Never approved, so no automatic redirect: an error page linking back with invalid_scope.
      expect(response.status, scope).toBe(400);
      const html = await response.text();
      expect(html).toContain("invalid_scope");
      expect(html).not.toContain("code=");
    }
  });
});

describe("a tool scope of a server the instance does not bundle", () => {
  it("cannot be given to an API key or a machine-to-machine client", async () => {
    const scopes = [`mcp:access:${gamma.slug}:echo`];
    await expect(createApiKey({ userId, instanceId, name: "outside", scopes })).rejects.toThrow(
      `This instance does not offer mcp:access:${gamma.slug}:echo.`,
    );
    await expect(createM2mClient({ userId, instanceId, name: "outside", scopes })).rejects.toThrow(
      /does not offer/,
    );
  });

  it("opens nothing when a token carries one anyway (external issuers' tokens may)", async () => {
    const accessToken = await issueToken([`mcp:access:${gamma.slug}:echo`]);
    for (const { era, client } of await connectBoth(mcpUrl, accessToken)) {
      expect(await listAll(client), era).toEqual({ tools: [], prompts: [], resources: [], templates: [] });
      await expect(client.callTool({ name: "echo", arguments: { text: "x" } }), era).rejects.toThrow(
        /Unknown tool: echo/,
      );
    }
    expect(gammaBackend.toolCalls).toEqual([]);
  });
});

describe("the instance's tool choice and tool scopes", () => {
  it("intersect: a tool the instance hides stays an unknown tool even with its own scope", async () => {
    const db = getDb();
    const hidden = await createProxyInstance({ userId, connectionIds: [alpha.connectionId] });
    const url = served.mcpUrl(hidden.id);
    // A first list records the server's tools for this instance (all chosen), then echo is unticked.
    const owner = await createApiKey({
      userId,
      instanceId: hidden.id,
      name: "owner",
      scopes: ["mcp:access:*"],
    });
    const [first] = await connectBoth(url, owner.key);
    expect((await first.client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["echo", "slow"]);
    const updated = await db.instanceTool.updateMany({
      where: { instanceId: hidden.id, name: "echo" },
      data: { chosen: false },
    });
    expect(updated.count).toBe(1);
    await db.mcpInstanceConnection.updateMany({
      where: { instanceId: hidden.id, userMcpConfigId: alpha.connectionId },
      data: { toolSelection: "CHOSEN" },
    });

    const echoOnly = await createApiKey({
      userId,
      instanceId: hidden.id,
      name: "echo only",
      // The scope of a name the server does not have too: the hidden tool is compared with an unknown
      // one the token may call (a name outside the token's scopes is refused before anything else).
      scopes: [`mcp:access:${alpha.slug}:echo`, `mcp:access:${alpha.slug}:no_such_tool`],
    });
    const slowOnly = await createApiKey({
      userId,
      instanceId: hidden.id,
      name: "slow only",
      scopes: [`mcp:access:${alpha.slug}:slow`],
    });
    const echoCallsBefore = alphaBackend.toolCalls.filter((call) => call.tool === "echo").length;
    for (const { era, client } of await connectBoth(url, echoOnly.key)) {
      expect((await client.listTools()).tools, era).toEqual([]);
      const errors = await Promise.all(
        ["echo", "no_such_tool"].map((name) =>
          client.callTool({ name, arguments: { text: "x" } }).then(
            () => null,
            (error: unknown) => ({
              code: (error as { code?: number }).code,
              message: (error as Error).message,
            }),
          ),
        ),
      );
      // Exactly the answer of a tool that does not exist, but for the name.
      expect(errors[0], era).toEqual({
        code: -32602,
        message: expect.stringContaining("Unknown tool: echo"),
      });
      expect(errors[1]?.message.replace("no_such_tool", "echo"), era).toBe(errors[0]?.message);
      expect(errors[1]?.code, era).toBe(errors[0]?.code);
    }
    expect(alphaBackend.toolCalls.filter((call) => call.tool === "echo")).toHaveLength(echoCallsBefore);
    // The raw answer is the same too, in both eras.
    const legacy = await openLegacy({ url, bearer: echoOnly.key });
    const call = async (name: string) =>
      readRpcResponse(
        await legacy.post({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name, arguments: {} } }),
        3,
      );
    const [hiddenAnswer, unknownAnswer] = [await call("echo"), await call("no_such_tool")];
    expect(JSON.stringify(hiddenAnswer).replace("echo", "X")).toBe(
      JSON.stringify(unknownAnswer).replace("no_such_tool", "X"),
    );

    // A chosen tool with its scope is listed and runs.
    for (const { era, client } of await connectBoth(url, slowOnly.key)) {
      expect(
        (await client.listTools()).tools.map((tool) => tool.name),
        era,
      ).toEqual(["slow"]);
    }
  });
});
