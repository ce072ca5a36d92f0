import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import {
  addDemoOAuthServer,
  addRecordingServer,
  allowBackendHosts,
  connectMcpClient,
  createProxyInstance,
  findToolCallAuditRows,
  findTumikiCredentials,
  issueInstanceCredentials,
  openRawSession,
  postMcp,
  readResultText,
  readRpcResponse,
  setTestEnv,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import {
  startRecordingMcpBackend,
  type TRecordingBackend,
  type TRecordingBackendBehavior,
} from "@/server/testing/recording-mcp-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Aggregation and routing of /mcp/{instanceId} over real backends: the demo backend (OAuth, the
// user's backend token) and recording backends (API key; one that fails on command, one that is down).
// Lists merge in slug order with `<slug>__` names when an instance bundles several servers, scopes
// narrow them, calls reach the owning backend with its own credential and nothing of the client's,
// failing backends are left out, and each call leaves an audit row without arguments.

const BACKEND_TIMEOUT_MS = 1500;
const RECORDER_KEY = `rec-key-${randomUUID()}`;

let proxy: TTumikiProxy;
let demo: TDemoBackend;
let recorder: TRecordingBackend;
let flaky: TRecordingBackend;
let userId: string;
type TServer = { serverId: string; slug: string; name: string; connectionId: string };
let demoServer: TServer;
let recorderServer: TServer;
let flakyServer: TServer;
let downServer: TServer;
/** demo + recorder */
let both: { id: string; url: string; accessToken: string; apiKey: string; clientRowId: string };
/** recorder alone */
let single: { url: string; accessToken: string };
/** flaky + recorder */
let withFlaky: { url: string; accessToken: string };
/** recorder + a backend that is not listening */
let withDown: { url: string; accessToken: string };
/** The backends' own tool names, in their order (read from the backends directly). */
let demoTools: string[];
let recorderTools: string[];
const undo: (() => void)[] = [];
const clients: Client[] = [];

async function listBackendToolNames(url: string, headers: Record<string, string>): Promise<string[]> {
  const client = new Client({ name: "direct", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

async function instanceOf(connections: TServer[]) {
  const instance = await createProxyInstance({
    userId,
    connectionIds: connections.map((server) => server.connectionId),
  });
  const credentials = await issueInstanceCredentials({ userId, instanceId: instance.id });
  return { id: instance.id, url: proxy.mcpUrl(instance.id), ...credentials };
}

/** An SDK client through Tumiki, closed after the file. */
async function connect(url: string, bearer: string) {
  const client = await connectMcpClient({ url, bearer });
  clients.push(client);
  return client;
}

const bySlug = (servers: TServer[]) => [...servers].sort((a, b) => (a.slug < b.slug ? -1 : 1));

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  demo = await startDemoBackend({ port: 0, autoApproveAccount: `agg-${randomUUID()}` });
  recorder = await startRecordingMcpBackend({ name: "recorder", apiKey: RECORDER_KEY });
  flaky = await startRecordingMcpBackend({ name: "flaky", apiKey: `flaky-key-${randomUUID()}` });
  const down = await startRecordingMcpBackend({ name: "down" });
  await down.close();
  undo.push(
    allowBackendHosts([new URL(demo.origin).host, recorder.hostPort, flaky.hostPort, down.hostPort]),
    // The broken backends go down after three failures (server/backend-health); a short retry interval
    // lets the flaky one come back within the file.
    setTestEnv({ MCP_BACKEND_TIMEOUT_MS: String(BACKEND_TIMEOUT_MS), BACKEND_RETRY_AFTER_SECONDS: "0.1" }),
  );

  userId = (await createTestUser()).id;
  const demoFixture = await addDemoOAuthServer({ userId, backend: demo });
  demoServer = demoFixture;
  // "alpha-…" sorts before "demo-…", and instances list the demo server first: lists must follow
  // slugs, not the order servers were bundled in.
  recorderServer = await addRecordingServer({ userId, backend: recorder, name: "Alpha Recorder" });
  flakyServer = await addRecordingServer({ userId, backend: flaky, name: "Flaky Backend" });
  downServer = await addRecordingServer({ userId, backend: down, name: "Down Backend" });

  both = await instanceOf([demoServer, recorderServer]);
  single = await instanceOf([recorderServer]);
  withFlaky = await instanceOf([flakyServer, recorderServer]);
  withDown = await instanceOf([recorderServer, downServer]);

  demoTools = await listBackendToolNames(demo.mcpUrl, {
    authorization: `Bearer ${demoFixture.grant.tokens.access_token}`,
  });
  recorderTools = await listBackendToolNames(recorder.mcpUrl, { [recorder.apiKeyHeader]: RECORDER_KEY });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await proxy?.close();
  await Promise.allSettled([demo?.close(), recorder?.close(), flaky?.close()]);
  for (const restore of undo.reverse()) restore();
});

describe("tools/list", () => {
  it("merges two servers' tools as <slug>__<tool>, servers in slug order, each in its own order", async () => {
    expect(recorderServer.slug < demoServer.slug).toBe(true);
    const client = await connect(both.url, both.accessToken);
    const { tools } = await client.listTools();
    const expected = bySlug([demoServer, recorderServer]).flatMap((server) =>
      (server === demoServer ? demoTools : recorderTools).map((tool) => `${server.slug}__${tool}`),
    );
    expect(tools.map((tool) => tool.name)).toEqual(expected);
    const echo = tools.find((tool) => tool.name === `${recorderServer.slug}__echo`);
    expect(echo?.inputSchema).toMatchObject({ type: "object", properties: { text: { type: "string" } } });
  });

  it("keeps the backend's own names when the instance bundles one server", async () => {
    const client = await connect(single.url, single.accessToken);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(recorderTools);
  });

  it("leaves out servers the token's scopes do not cover, and refuses their calls with 403", async () => {
    const scoped = await issueInstanceCredentials({
      userId,
      instanceId: both.id,
      scopes: [`mcp:access:${recorderServer.slug}`],
    });
    const client = await connect(both.url, scoped.accessToken);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(
      recorderTools.map((tool) => `${recorderServer.slug}__${tool}`),
    );

    const { sessionId } = await openRawSession({ url: both.url, bearer: scoped.accessToken });
    const calledBefore = demo.stats.mcp.toolCalls.list_notes?.started ?? 0;
    const response = await postMcp({
      url: both.url,
      bearer: scoped.accessToken,
      sessionId,
      message: {
        jsonrpc: "2.0",
        id: 5,
        method: "tools/call",
        params: { name: `${demoServer.slug}__list_notes`, arguments: {} },
      },
    });
    expect(response.status).toBe(403);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`scope="mcp:access:${demoServer.slug}"`);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
    expect(demo.stats.mcp.toolCalls.list_notes?.started ?? 0).toBe(calledBefore);
  });
});

describe("tools/call", () => {
  it("reaches the owning backend and returns its result", async () => {
    const client = await connect(both.url, both.accessToken);
    const text = `hello-${randomUUID()}`;
    const echoed = await client.callTool({ name: `${recorderServer.slug}__echo`, arguments: { text } });
    expect(echoed.isError).toBeFalsy();
    expect(readResultText(echoed)).toBe(text);
    expect(recorder.toolCalls).toContainEqual(expect.objectContaining({ tool: "echo", arguments: { text } }));

    const title = `note-${randomUUID()}`;
    const created = await client.callTool({
      name: `${demoServer.slug}__create_note`,
      arguments: { title, body: "from the proxy test" },
    });
    expect(created.isError).toBeFalsy();
    expect(readResultText(created)).toContain(title);
    const listed = await client.callTool({ name: `${demoServer.slug}__list_notes`, arguments: {} });
    expect(readResultText(listed)).toContain(title);
  });

  it("passes the client's request id to the backend unchanged", async () => {
    const { sessionId } = await openRawSession({ url: both.url, bearer: both.accessToken });
    const id = `call-${randomUUID()}`;
    const response = await postMcp({
      url: both.url,
      bearer: both.accessToken,
      sessionId,
      message: {
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: `${recorderServer.slug}__echo`, arguments: { text: "id check" } },
      },
    });
    const answer = await readRpcResponse(response, id);
    expect(answer.result).toMatchObject({ content: [{ type: "text", text: "id check" }] });
    const forwarded = recorder.requests.filter((request) => request.rpcMethod === "tools/call");
    expect(forwarded.map((request) => JSON.parse(request.body).id)).toContain(id);
  });

  const expectInvalidParams = async (client: Client, name: string) => {
    const error = await client.callTool({ name, arguments: {} }).catch((caught: unknown) => caught);
    expect(error, `${name} answered ${JSON.stringify(error)}`).toBeInstanceOf(McpError);
    expect((error as McpError).code, name).toBe(-32602);
  };

  it("answers a tool name that names no bundled server with JSON-RPC -32602", async () => {
    const client = await connect(both.url, both.accessToken);
    for (const name of ["no_such_tool", "nobody__echo", "echo"]) await expectInvalidParams(client, name);
  });

  it("answers a tool its server does not list as unknown, and never sends the server a call of it", async () => {
    // Only tools a server lists pass the instance's tool controls (pinned, reviewed, chosen): a tool a
    // server would run without listing it is one nobody could review. Tumiki answers it as unknown, the
    // same answer as for a tool of no server.
    const client = await connect(both.url, both.accessToken);
    const before = recorder.requests.length;
    await expect(
      client.callTool({ name: `${recorderServer.slug}__no_such_tool`, arguments: {} }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("Unknown tool") });
    await expect(client.callTool({ name: "nobody__no_such_tool", arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
    const routed = recorder.requests.slice(before).filter((request) => request.rpcMethod === "tools/call");
    expect(routed).toEqual([]);
  });

  it("sends the server's own API key and never the client's Tumiki credentials (no passthrough)", async () => {
    const start = recorder.requests.length;
    for (const bearer of [both.accessToken, both.apiKey]) {
      const client = await connect(both.url, bearer);
      await client.callTool({ name: `${recorderServer.slug}__echo`, arguments: { text: "passthrough?" } });
      await client.listTools();
      await client.listResources();
    }
    const seen = recorder.requests.slice(start);
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) expect(request.headers[recorder.apiKeyHeader]).toBe(RECORDER_KEY);
    expect(
      findTumikiCredentials({ requests: recorder.requests, secrets: [both.accessToken, both.apiKey] }),
    ).toEqual([]);
  });

  it("re-opens a backend session the backend forgot, unseen by the client", async () => {
    const client = await connect(both.url, both.accessToken);
    const echo = (text: string) =>
      client.callTool({ name: `${recorderServer.slug}__echo`, arguments: { text } });
    expect(readResultText(await echo("before"))).toBe("before");
    await recorder.forgetSessions();
    const start = recorder.requests.length;
    const after = await echo("after");
    expect(after.isError).toBeFalsy();
    expect(readResultText(after)).toBe("after");
    const seen = recorder.requests.slice(start);
    expect(seen.some((request) => request.status === 404)).toBe(true);
    expect(seen.some((request) => request.rpcMethod === "initialize" && request.status === 200)).toBe(true);
  });
});

describe("resources and prompts", () => {
  it("maps resource and template URIs to tumiki.<slug>.<uri> and reads them back", async () => {
    const client = await connect(both.url, both.accessToken);
    const prefix = `tumiki.${recorderServer.slug}.`;
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain(`${prefix}recording://info`);
    const info = await client.readResource({ uri: `${prefix}recording://info` });
    expect(info.contents[0]).toMatchObject({ text: "recorder info" });

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain(
      `${prefix}recording://items/{id}`,
    );
    const item = await client.readResource({ uri: `${prefix}recording://items/42` });
    expect(item.contents[0]).toMatchObject({ text: "item 42" });
  });

  it("keeps URIs unchanged when the instance bundles one server", async () => {
    const client = await connect(single.url, single.accessToken);
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual([
      "recording://info",
    ]);
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      "recording://items/{id}",
    ]);
    expect((await client.readResource({ uri: "recording://items/7" })).contents[0]).toMatchObject({
      text: "item 7",
    });
  });

  it("maps prompt names to <slug>__<name> and gets them", async () => {
    const client = await connect(both.url, both.accessToken);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual([`${recorderServer.slug}__greet`]);
    const prompt = await client.getPrompt({
      name: `${recorderServer.slug}__greet`,
      arguments: { name: "Ada" },
    });
    expect(prompt.messages[0]?.content).toMatchObject({ type: "text", text: "Hello, Ada!" });

    const alone = await connect(single.url, single.accessToken);
    expect((await alone.listPrompts()).prompts.map((p) => p.name)).toEqual(["greet"]);
    const got = await alone.getPrompt({ name: "greet", arguments: { name: "Bo" } });
    expect(got.messages[0]?.content).toMatchObject({ text: "Hello, Bo!" });
  });
});

describe("a backend that is down, failing or slow", () => {
  /**
   * The healthy server still lists and answers; the broken one is left out and its call is an isError result.
   */
  async function expectIsolated(target: { url: string; accessToken: string }, broken: TServer) {
    const client = await connect(target.url, target.accessToken);
    const started = Date.now();
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(recorderTools.map((tool) => `${recorderServer.slug}__${tool}`));
    const call = await client.callTool({ name: `${broken.slug}__echo`, arguments: { text: "x" } });
    expect(call.isError).toBe(true);
    expect(readResultText(call)).toContain(broken.name);
    const ok = await client.callTool({
      name: `${recorderServer.slug}__echo`,
      arguments: { text: "still here" },
    });
    expect(ok.isError).toBeFalsy();
    expect(readResultText(ok)).toBe("still here");
    // A hanging backend costs at most the timeout per request, not the test's patience.
    expect(Date.now() - started).toBeLessThan(4 * BACKEND_TIMEOUT_MS + 3000);
    return client;
  }

  it("leaves out a backend that is not listening", async () => {
    await expectIsolated(withDown, downServer);
  });

  it.each<TRecordingBackendBehavior>([
    "fail",
    "hang",
    "drop",
  ])("leaves out a backend that answers %s", async (behavior) => {
    flaky.setBehavior(behavior);
    try {
      await expectIsolated(withFlaky, flakyServer);
    } finally {
      flaky.setBehavior("normal");
    }
  });

  it("lists the flaky backend's tools again once it is healthy", async () => {
    const client = await connect(withFlaky.url, withFlaky.accessToken);
    const expected = bySlug([recorderServer, flakyServer]).flatMap((server) =>
      recorderTools.map((tool) => `${server.slug}__${tool}`),
    );
    // It failed often enough to be down: it is back once its retry is due and the probe finds it up.
    await vi.waitFor(
      async () => expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(expected),
      { timeout: 5_000, interval: 100 },
    );
  });
});

describe("audit", () => {
  it("writes mcp.tool_called per call with tool, server and duration, never arguments or results", async () => {
    const audited = await instanceOf([demoServer, recorderServer]);
    const client = await connect(audited.url, audited.accessToken);
    const secret = `distinctive-argument-${randomUUID()}`;
    await client.callTool({ name: `${recorderServer.slug}__echo`, arguments: { text: secret } });
    await client.callTool({ name: `${demoServer.slug}__search_notes`, arguments: { query: secret } });

    const rows = await findToolCallAuditRows({ instanceId: audited.id });
    expect(rows).toHaveLength(2);
    for (const [server, tool] of [
      [recorderServer, "echo"],
      [demoServer, "search_notes"],
    ] as const) {
      const row = rows.find((candidate) => candidate.mcpServerId === server.serverId);
      expect(row).toMatchObject({
        outcome: "SUCCESS",
        actorUserId: userId,
        clientId: audited.clientRowId,
        instanceId: audited.id,
        mcpServerId: server.serverId,
        durationMs: expect.any(Number),
        detail: { serverSlug: server.slug },
      });
      const detail = row?.detail as { tool: string };
      // The contract names the tool; either the backend's name or the client-facing one identifies it.
      expect([tool, `${server.slug}__${tool}`]).toContain(detail.tool);
      expect(row?.durationMs).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(row)).not.toContain(secret);
    }
  });

  it("writes a FAILURE row with a reason when the backend is unavailable", async () => {
    const audited = await instanceOf([flakyServer, recorderServer]);
    const client = await connect(audited.url, audited.accessToken);
    flaky.setBehavior("fail");
    try {
      await client.callTool({ name: `${flakyServer.slug}__echo`, arguments: { text: "fails" } });
    } finally {
      flaky.setBehavior("normal");
    }
    const rows = await findToolCallAuditRows({ instanceId: audited.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "FAILURE", mcpServerId: flakyServer.serverId });
    expect(rows[0]?.reason).toEqual(expect.any(String));
  });
});
