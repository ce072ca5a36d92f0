import { randomBytes } from "node:crypto";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import type { APIRequestContext, Page } from "@playwright/test";
import { startModernBackend, type TModernBackend } from "../../server/testing/start-modern-backend";
import { demoBackendMcpUrl } from "../support/demo-backend";
import { listDemoToolsDirectly } from "../support/list-demo-tools-directly";
import { modernBackendPort } from "../support/modern-backend";
import { uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, test as base, expect } from "../support/oauth-test";
import {
  connectEraClient,
  ERA_CLIENT_KINDS,
  type TEraClient,
  type TEraClientAuth,
  type TEraClientKind,
} from "../support/protocol-era-clients";
import { signIn, signUpAndSignIn, type TTestAccount } from "../support/session";
import { signInAtDemoBackend } from "../support/sign-in-at-demo-backend";
import { callTrpc, createInstance, queryTrpc } from "../support/trpc";

// Both protocol eras on one instance URL, against the app as deployed (`next start`). One instance
// bundles a 2025-11-25 backend (the OAuth-protected demo backend, connected by the user in the browser)
// and a 2026-07-28-only backend (server/testing/start-modern-backend.ts with `legacy: "reject"`, which
// refuses `initialize`; added with an API key through the app, see addModernBackend). Three clients use
// it: the v2 SDK pinned to 2026-07-28, the v2 SDK in `auto` mode, and the 1.x SDK. Each signs in once
// with OAuth (discovery from the instance URL, registration, consent in Chromium) and once with an API
// key of the instance; each lists the tools of both backends under their aggregated names
// (`<slug>__<tool>`), calls one of each, and runs `ask_name`, whose form elicitation reaches a 2026-07-28
// client as a multi round-trip request and a 2025-11-25 client as a relayed elicitation/create request.
//
// The 2026-07-28 backend listens on a fixed port the app allows (e2e/support/modern-backend.ts), so this
// file's tests share one worker and the backend with it (`mode: "default"` keeps them off other workers).

const { ip: clientIp, fetch: clientFetch } = actAsClientAddress();

const MODERN_API_KEY_HEADER = "X-API-Key";
const MODERN_API_KEY = randomBytes(16).toString("hex");

type TErasSetup = {
  account: TTestAccount;
  instanceName: string;
  mcpUrl: string;
  /** An API key of the instance (`mcp:access:*`). */
  apiKey: string;
  demoSlug: string;
  modernSlug: string;
  backend: TModernBackend;
  /** The aggregated names of both backends' tools, as each backend lists them itself. */
  expectedToolNames: string[];
};

type TUserServer = { connectionId: string; slug: string; name: string };

async function listModernToolsDirectly(backend: TModernBackend): Promise<string[]> {
  const client = new ModernClient(
    { name: "e2e-direct", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(
    new ModernTransport(new URL(backend.mcpUrl), {
      requestInit: { headers: { [MODERN_API_KEY_HEADER]: MODERN_API_KEY } },
    }),
  );
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

function startModernBackendOnItsPort(): Promise<TModernBackend> {
  return startModernBackend({
    legacy: "reject",
    name: "e2e-modern-backend",
    port: modernBackendPort,
    apiKey: MODERN_API_KEY,
    apiKeyHeader: MODERN_API_KEY_HEADER,
  });
}

/**
 * Adds the 2026-07-28-only backend through the app, with its API key: the app checks a new server with
 * `server/discover` (such a server refuses `initialize`).
 */
async function addModernBackend(request: APIRequestContext, backend: TModernBackend, name: string) {
  return callTrpc<TUserServer>(request, "servers.add", {
    url: backend.mcpUrl,
    name,
    auth: { type: "api_key", headerName: MODERN_API_KEY_HEADER, apiKey: MODERN_API_KEY },
  });
}

/**
 * As a user, in the browser: signs up, connects the demo backend (its sign-in popup), adds the
 * 2026-07-28 backend, bundles both into a new instance and makes an API key for it.
 */
async function setUpInstance(page: Page, backend: TModernBackend) {
  const account = await signUpAndSignIn(page.request);
  const suffix = randomBytes(3).toString("hex");
  const demoName = `Eras notes ${suffix}`;
  await page.goto("/servers");
  await page.getByLabel("Server URL").fill(demoBackendMcpUrl);
  await page.getByLabel("Server name").fill(demoName);
  await page.getByRole("button", { name: "Check server" }).click();
  await signInAtDemoBackend(page, {
    trigger: () => page.getByRole("button", { name: "Add and connect" }).click(),
    account: uniqueName("eras-account"),
  });
  await expect(page.getByRole("status").filter({ hasText: `Connected to ${demoName}` })).toBeVisible();
  const demo = (await queryTrpc<TUserServer[]>(page.request, "servers.list")).find(
    (server) => server.name === demoName,
  );
  if (!demo) throw new Error(`${demoName} is not among the user's servers`);
  const modern = await addModernBackend(page.request, backend, `Eras modern ${suffix}`);

  const instanceName = uniqueName("eras");
  const instance = await createInstance(page.request, instanceName);
  await callTrpc(page.request, "instance.setConnections", {
    instanceId: instance.id,
    connectionIds: [demo.connectionId, modern.connectionId],
  });
  const { key } = await callTrpc<{ key: string }>(page.request, "apiKey.create", {
    instanceId: instance.id,
    name: "protocol eras",
  });
  return { account, instanceName, instanceId: instance.id, demo, modern, apiKey: key };
}

const test = base.extend<object, { eras: TErasSetup }>({
  // Once per worker (this file's tests run in one): the user's instance, and the 2026-07-28-only
  // backend on its port for as long as the worker runs.
  eras: [
    async ({ browser }, use, workerInfo) => {
      const baseURL = workerInfo.project.use.baseURL;
      const context = await browser.newContext({
        baseURL,
        extraHTTPHeaders: { "x-forwarded-for": clientIp },
      });
      const backend = await startModernBackendOnItsPort();
      try {
        const { demo, modern, instanceId, ...user } = await setUpInstance(
          await context.newPage(),
          backend,
        ).finally(() => context.close());
        const expectedToolNames = [
          ...(await listDemoToolsDirectly()).map((tool) => `${demo.slug}__${tool.name}`),
          ...(await listModernToolsDirectly(backend)).map((name) => `${modern.slug}__${name}`),
        ].sort();
        await use({
          ...user,
          mcpUrl: `${baseURL}/mcp/${instanceId}`,
          demoSlug: demo.slug,
          modernSlug: modern.slug,
          backend,
          expectedToolNames,
        });
      } finally {
        await backend.close();
      }
    },
    { scope: "worker", timeout: 90_000 },
  ],
});
test.describe.configure({ mode: "default" });

function expectEra(client: TEraClient) {
  expect(client.serverName).toBe("tumiki");
  if (client.kind === "sdk-1x") {
    expect(client.protocolVersion).toBe("2025-11-25");
    expect(client.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
  } else {
    // Tumiki offers 2026-07-28 in server/discover, so `auto` lands where the pin does.
    expect(client.era).toBe("modern");
    expect(client.protocolVersion).toBe("2026-07-28");
    expect(client.sessionId).toBeUndefined();
  }
}

/** The ask_name round as both sides saw it: the client's wire and the 2026-07-28 backend's requests. */
async function expectAskNameRound(client: TEraClient, eras: TErasSetup, elicitedName: string) {
  const answered = { action: "accept", content: { name: elicitedName } };
  expect(client.elicitations).toEqual([
    {
      message: "What is your name?",
      requestedSchema: expect.objectContaining({
        type: "object",
        properties: expect.objectContaining({ name: expect.objectContaining({ type: "string" }) }),
      }),
    },
  ]);

  // The backend saw the call twice, both times as 2026-07-28 requests, the second with the answer.
  const calls = eras.backend
    .requests()
    .filter((request) => request.rpcMethod === "tools/call" && request.mcpNameHeader === "ask_name");
  expect(calls.map((call) => [call.protocolVersionHeader, call.status])).toEqual([
    ["2026-07-28", 200],
    ["2026-07-28", 200],
  ]);
  const retried = calls[1]?.body as { params?: { inputResponses?: Record<string, unknown> } };
  expect(retried.params?.inputResponses?.name).toMatchObject(answered);

  const posts = client.wire.filter((exchange) => exchange.method === "POST");
  const toolCalls = posts.filter((exchange) => exchange.sent?.method === "tools/call");
  const received = await Promise.all(posts.map((exchange) => exchange.received));
  const serverRequests = received.flat().filter((message) => message.method && message.id !== undefined);

  if (client.kind === "sdk-1x") {
    // One call; Tumiki relayed the backend's input request as elicitation/create on the call's stream,
    // and the client POSTed its answer to that request's id.
    expect(toolCalls).toHaveLength(1);
    expect(serverRequests.map((message) => message.method)).toEqual(["elicitation/create"]);
    // Minted by Tumiki (sealed): the 2026-07-28 backend never sent a request of its own.
    const relayedId = serverRequests[0]?.id;
    expect(typeof relayedId).toBe("string");
    const answer = posts.find((exchange) => exchange.sent?.id === relayedId && exchange.sent?.result);
    expect(answer?.sent?.result).toMatchObject(answered);
    expect(answer?.status).toBe(202);
    return;
  }
  // Multi round-trip: the first call answers input_required (no request to the client on any stream);
  // the client calls again with the answer and the requestState it was given.
  expect(serverRequests).toEqual([]);
  expect(toolCalls).toHaveLength(2);
  for (const call of toolCalls) {
    expect(call.sent?.params?._meta).toMatchObject({
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    });
  }
  const [first, second] = await Promise.all(toolCalls.map((call) => call.received));
  const inputRequired = first?.find((message) => message.id === toolCalls[0]?.sent?.id)?.result;
  expect(inputRequired).toMatchObject({
    resultType: "input_required",
    inputRequests: { name: { method: "elicitation/create" } },
  });
  expect(typeof inputRequired?.requestState).toBe("string");
  expect(toolCalls[1]?.sent?.params).toMatchObject({
    inputResponses: { name: answered },
    requestState: inputRequired?.requestState,
  });
  expect(second?.find((message) => message.id === toolCalls[1]?.sent?.id)?.result).toMatchObject({
    content: [{ type: "text", text: `Hello, ${elicitedName}` }],
  });
}

/** What every client must be able to do with the instance, whichever era it speaks. */
async function exerciseBothBackends(client: TEraClient, eras: TErasSetup, elicitedName: string) {
  expectEra(client);
  expect((await client.listToolNames()).sort()).toEqual(eras.expectedToolNames);

  const title = `Eras note ${randomBytes(4).toString("hex")}`;
  const created = await client.callTool(`${eras.demoSlug}__create_note`, { title, body: client.kind });
  expect(created.isError).toBe(false);
  expect(created.text).toContain(title);

  const sum = await client.callTool(`${eras.modernSlug}__add`, { a: 20, b: 22 });
  expect(sum).toEqual({ text: "42", isError: false, structuredContent: { sum: 42 } });

  eras.backend.clear();
  client.clearWire();
  client.elicitations.length = 0;
  const greeted = await client.callTool(`${eras.modernSlug}__ask_name`, {});
  expect(greeted).toMatchObject({ text: `Hello, ${elicitedName}`, isError: false });
  await expectAskNameRound(client, eras, elicitedName);
}

async function connectAndUseBothBackends(kind: TEraClientKind, eras: TErasSetup, auth: TEraClientAuth) {
  // A name of its own per client, so an answer could not have come from another one.
  const elicitedName = `Ada ${kind} ${randomBytes(2).toString("hex")}`;
  const client = await connectEraClient({
    kind,
    mcpUrl: eras.mcpUrl,
    auth,
    fetchFn: clientFetch,
    elicitedName,
  });
  try {
    await exerciseBothBackends(client, eras, elicitedName);
  } finally {
    await client.close();
  }
}

for (const { kind, label } of ERA_CLIENT_KINDS) {
  test(`${label} signs in with OAuth from the instance URL and uses the 2025 and the 2026 backend`, async ({
    page,
    loopback,
    eras,
  }) => {
    await signIn(page.request, eras.account);
    const auth: TEraClientAuth = {
      type: "oauth",
      page,
      loopback,
      checkConsentPage: async (consentPage) => {
        await expect(consentPage.getByText(eras.instanceName).first()).toBeVisible();
      },
    };
    await connectAndUseBothBackends(kind, eras, auth);
  });
}

test("with an API key of the instance, the three clients use the 2025 and the 2026 backend", async ({
  eras,
}) => {
  for (const { kind } of ERA_CLIENT_KINDS) {
    await test.step(kind, () =>
      connectAndUseBothBackends(kind, eras, { type: "bearer", bearer: eras.apiKey }),
    );
  }
});

test("a 2026-07-28-only server is added through the app with its API key", async ({ page, eras }) => {
  await signUpAndSignIn(page.request);
  // The same backend as the instance's, which serves any /mcp/<id> path: a URL of this user's own.
  const url = new URL(eras.backend.mcpUrl);
  url.pathname = `${url.pathname}-${randomBytes(3).toString("hex")}`;
  const added = await page.request.post("/api/trpc/servers.add", {
    data: {
      json: {
        url: url.toString(),
        name: `Eras modern only ${randomBytes(3).toString("hex")}`,
        auth: { type: "api_key", headerName: MODERN_API_KEY_HEADER, apiKey: MODERN_API_KEY },
      },
    },
  });
  expect(added.status(), await added.text()).toBe(200);
  const checks = eras.backend.requests().filter((request) => request.path === url.pathname);
  expect(checks.map((request) => request.rpcMethod)).toEqual(["server/discover"]);
});
