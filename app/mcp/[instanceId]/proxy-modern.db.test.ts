import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  addRecordingServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  openRawSession,
  postMcp,
  readResultText,
  readRpcMessages,
  readRpcResponse,
  startTumikiProxy,
  type TJsonRpcMessage,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { startRecordingMcpBackend, type TRecordingBackend } from "@/server/testing/recording-mcp-backend";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// The 2026-07-28 framing of /mcp/{instanceId}, on the wire (raw fetch): server/discover, the request
// checks of the envelope and the mirrored headers, methods 2026-07-28 removed, the cache hints of lists
// and reads, and what a backend of either era receives when a 2026-07-28 client calls through Tumiki.
// Backends: the recording backend (2025-11-25, sessions), the 2026-07-28 fixture on
// @modelcontextprotocol/server 2.x (`legacy: "serve"`, a dual-era server that answers 2025 statelessly),
// and a small stateless 2025 server whose one resource template answers -32002 (resource not found in
// 2025-11-25). A 2025 client (initialize, session) on the same instances is the control.

const MODERN = "2026-07-28";
const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;
const ENVELOPE_KEYS: string[] = [
  META.protocolVersion,
  META.clientCapabilities,
  META.clientInfo,
  META.logLevel,
];
/** The methods whose `params.name` / `params.uri` 2026-07-28 mirrors into Mcp-Name. */
const NAME_KEY: Record<string, "name" | "uri"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};
const CLIENT_CAPABILITIES = { elicitation: { form: {} } };

let proxy: TTumikiProxy;
let recording: TRecordingBackend;
let modern: TModernBackend;
let notFound: { mcpUrl: string; hostPort: string; close(): Promise<void> };
const undo: (() => void)[] = [];

/** The 2026 fixture alone (nothing renamed). */
let solo: { url: string; bearer: string };
/** The recording backend and the 2026 fixture (aggregated: `<slug>__<name>`, `tumiki.<slug>.<uri>`). */
let mixed: { url: string; bearer: string };
/** The -32002 backend alone (resources only). */
let missing: { url: string; bearer: string };
let recordingSlug: string;
let modernSlug: string;

/**
 * A stateless 2025 server (MCP SDK 1.x, one server per request, JSON answers) offering only resources;
 * reading `missing://{id}` answers -32002, as 2025-11-25 names "resource not found".
 */
async function startResourceNotFoundBackend() {
  const http: Server = createServer((req, res) => {
    const server = new McpServer({ name: "legacy-not-found", version: "1.0.0" });
    server.registerResource(
      "missing",
      new ResourceTemplate("missing://{id}", { list: undefined }),
      { mimeType: "text/plain" },
      async (uri) => {
        throw new McpError(-32002, `Resource not found: ${uri.href}`, { uri: uri.href });
      },
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  const port = await new Promise<number>((resolve) => {
    http.listen(0, "localhost", () => resolve((http.address() as AddressInfo).port));
  });
  return {
    mcpUrl: `http://localhost:${port}/mcp`,
    hostPort: `localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  [recording, modern, notFound] = await Promise.all([
    startRecordingMcpBackend({ name: "modern-test-recording" }),
    startModernBackend({ legacy: "serve", name: "modern-test-fixture" }),
    startResourceNotFoundBackend(),
  ]);
  undo.push(allowBackendHosts([recording.hostPort, modern.hostPort, notFound.hostPort]));

  const user = await createTestUser();
  const recordingServer = await addRecordingServer({ userId: user.id, backend: recording, name: "Archive" });
  const modernServer = await createServerConnection({
    userId: user.id,
    name: "Modern",
    url: modern.mcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  const notFoundServer = await createServerConnection({
    userId: user.id,
    name: "Gone",
    url: notFound.mcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  recordingSlug = recordingServer.slug;
  modernSlug = modernServer.slug;
  // The expected orders below rely on it: aggregated lists follow slug order.
  expect(modernSlug > recordingSlug).toBe(true);

  const open = async (connectionIds: string[]) => {
    const instance = await createProxyInstance({ userId: user.id, connectionIds });
    const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
    return { url: proxy.mcpUrl(instance.id), bearer: accessToken };
  };
  solo = await open([modernServer.connectionId]);
  mixed = await open([modernServer.connectionId, recordingServer.connectionId]);
  missing = await open([notFoundServer.connectionId]);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.allSettled([recording?.close(), modern?.close(), notFound?.close()]);
  for (const restore of undo.reverse()) restore();
});

// ─── Helpers ──────────────────────────────────────────────────────────────────────────────────────

type TModernRequest = {
  id: string | number;
  method: string;
  params?: Record<string, unknown>;
  /** Merged into the envelope (e.g. a logLevel, or undefined to drop a key). */
  meta?: Record<string, unknown>;
  /** Replaces the standard headers when given (each may be omitted). */
  headers?: Record<string, string>;
  /** Added to the standard headers. */
  extraHeaders?: Record<string, string>;
  capabilities?: Record<string, unknown>;
};

function envelope(
  meta: Record<string, unknown> = {},
  capabilities: Record<string, unknown> = CLIENT_CAPABILITIES,
) {
  const merged: Record<string, unknown> = {
    [META.protocolVersion]: MODERN,
    [META.clientCapabilities]: capabilities,
    [META.clientInfo]: { name: "proxy-modern-test", version: "1.0.0" },
    ...meta,
  };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** The headers a conforming 2026-07-28 client sends for this request. */
function standardHeaders(method: string, params: Record<string, unknown> = {}): Record<string, string> {
  const nameKey = NAME_KEY[method];
  const name = nameKey ? params[nameKey] : undefined;
  return {
    "mcp-protocol-version": MODERN,
    "mcp-method": method,
    ...(typeof name === "string" ? { "mcp-name": name } : {}),
  };
}

function postModern(target: { url: string; bearer: string }, request: TModernRequest) {
  const params = request.params ?? {};
  return postMcp({
    url: target.url,
    bearer: target.bearer,
    message: {
      jsonrpc: "2.0",
      id: request.id,
      method: request.method,
      params: { ...params, _meta: envelope(request.meta, request.capabilities) },
    },
    headers: { ...(request.headers ?? standardHeaders(request.method, params)), ...request.extraHeaders },
  });
}

/** A 2026-07-28 request that must succeed: its result, after checking the HTTP status. */
async function modernResult(target: { url: string; bearer: string }, request: TModernRequest) {
  const response = await postModern(target, request);
  const answer = await readRpcResponse(response, request.id);
  expect(response.status, JSON.stringify(answer)).toBe(200);
  expect(answer.error, JSON.stringify(answer)).toBeUndefined();
  expect(response.headers.get("mcp-session-id")).toBeNull();
  return answer.result ?? {};
}

/** An HTTP-level refusal with a JSON-RPC error body: checks status, code and the echoed id. */
async function expectRefusal(
  response: Response,
  { status, code, id }: { status: number; code: number; id: string | number | null },
) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = JSON.parse(text) as TJsonRpcMessage;
  expect(body, text).toMatchObject({ jsonrpc: "2.0", id, error: { code } });
  expect(typeof body.error?.message).toBe("string");
  return body;
}

/** A 2025 session on an instance, and one request in it. */
async function openLegacy(target: { url: string; bearer: string }) {
  const session = await openRawSession({ url: target.url, bearer: target.bearer });
  const request = async (id: string | number, method: string, params: Record<string, unknown> = {}) => {
    const response = await postMcp({
      url: target.url,
      bearer: target.bearer,
      sessionId: session.sessionId,
      message: { jsonrpc: "2.0", id, method, params },
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
    expect(response.status).toBe(200);
    return readRpcResponse(response, id);
  };
  return { ...session, request };
}

const expectModernFraming = (result: Record<string, unknown>) => {
  expect(result.resultType).toBe("complete");
  expect(result.cacheScope).toBe("private");
  expect(Number.isInteger(result.ttlMs)).toBe(true);
  expect(result.ttlMs as number).toBeGreaterThanOrEqual(0);
  expect((result._meta as Record<string, unknown> | undefined)?.[META.serverInfo]).toMatchObject({
    name: "tumiki",
  });
};

const expectLegacyFraming = (result: Record<string, unknown>) => {
  for (const key of ["resultType", "ttlMs", "cacheScope"]) expect(result).not.toHaveProperty(key);
  expect((result._meta as Record<string, unknown> | undefined)?.[META.serverInfo]).toBeUndefined();
};

const namesOf = (items: unknown, key = "name") =>
  (items as Record<string, unknown>[]).map((item) => item[key] as string);

/** The fixture's recorded tools/call requests for one backend tool, in order. */
const modernToolCalls = (tool: string) =>
  modern
    .requests()
    .filter(
      (request) =>
        request.rpcMethod === "tools/call" &&
        (request.body as { params?: { name?: string } }).params?.name === tool,
    );

// ─── server/discover ──────────────────────────────────────────────────────────────────────────────

describe("server/discover", () => {
  it("answers with the versions served per request, merged capabilities, instructions and cache hints", async () => {
    const result = await modernResult(mixed, { id: "discover-1", method: "server/discover" });
    expect(result.resultType).toBe("complete");
    expect(result.supportedVersions).toEqual([MODERN]);
    // Both backends offer tools, prompts and resources.
    expect(result.capabilities).toMatchObject({
      tools: expect.any(Object),
      prompts: expect.any(Object),
      resources: expect.any(Object),
    });
    expect(typeof result.instructions).toBe("string");
    expect((result.instructions as string).length).toBeGreaterThan(0);
    expect(Number.isInteger(result.ttlMs)).toBe(true);
    expect(result.ttlMs as number).toBeGreaterThanOrEqual(0);
    expect(result.cacheScope).toBe("private");
    expect((result._meta as Record<string, unknown>)[META.serverInfo]).toMatchObject({ name: "tumiki" });
  });

  it("offers tools always, and prompts only when a backend offers them", async () => {
    const result = await modernResult(missing, { id: 7, method: "server/discover" });
    const capabilities = result.capabilities as Record<string, unknown>;
    expect(capabilities.tools).toEqual(expect.any(Object));
    expect(capabilities.resources).toEqual(expect.any(Object));
    expect(capabilities).not.toHaveProperty("prompts");
  });
});

// ─── Request checks ───────────────────────────────────────────────────────────────────────────────

describe("request validation", () => {
  it("refuses a request without the MCP-Protocol-Version header (400, -32020)", async () => {
    const response = await postModern(solo, {
      id: "no-version",
      method: "tools/list",
      headers: { "mcp-method": "tools/list" },
    });
    await expectRefusal(response, { status: 400, code: -32020, id: "no-version" });
  });

  it("refuses _meta without the protocol version or without the client capabilities (400, -32602)", async () => {
    for (const [id, meta] of [
      ["no-body-version", { [META.protocolVersion]: undefined }],
      ["no-capabilities", { [META.clientCapabilities]: undefined }],
    ] as const) {
      const response = await postModern(solo, { id, method: "tools/list", meta });
      await expectRefusal(response, { status: 400, code: -32602, id });
    }
  });

  it("refuses a header version that differs from the body's (400, -32020)", async () => {
    const response = await postModern(solo, {
      id: 11,
      method: "tools/list",
      headers: { "mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list" },
    });
    await expectRefusal(response, { status: 400, code: -32020, id: 11 });
  });

  it("refuses a version it does not serve (400, -32022) naming the versions discover lists", async () => {
    const discover = await modernResult(solo, { id: "d", method: "server/discover" });
    for (const version of ["2099-01-01", "2025-11-25"]) {
      const response = await postModern(solo, {
        id: `v-${version}`,
        method: "tools/list",
        meta: { [META.protocolVersion]: version },
        headers: { "mcp-protocol-version": version, "mcp-method": "tools/list" },
      });
      const body = await expectRefusal(response, { status: 400, code: -32022, id: `v-${version}` });
      const data = body.error?.data as { supported: string[]; requested: string };
      expect(data.requested).toBe(version);
      expect(data.supported.length).toBeGreaterThan(0);
      for (const supported of data.supported) expect(discover.supportedVersions).toContain(supported);
    }
  });

  it("refuses a missing or different Mcp-Method (400, -32020)", async () => {
    const missingMethod = await postModern(solo, {
      id: "m1",
      method: "tools/list",
      headers: { "mcp-protocol-version": MODERN },
    });
    await expectRefusal(missingMethod, { status: 400, code: -32020, id: "m1" });
    const wrongMethod = await postModern(solo, {
      id: "m2",
      method: "tools/list",
      headers: { "mcp-protocol-version": MODERN, "mcp-method": "prompts/list" },
    });
    await expectRefusal(wrongMethod, { status: 400, code: -32020, id: "m2" });
  });

  it.each([
    ["tools/call", { name: "echo", arguments: { text: "x" } }, "add"],
    ["prompts/get", { name: "greet", arguments: { name: "Ada" } }, "greet_asking"],
    ["resources/read", { uri: "note://welcome" }, "note://pixel.png"],
  ])("refuses %s with a missing or different Mcp-Name (400, -32020)", async (method, params, other) => {
    const before = modern.requests().length;
    const missingName = await postModern(solo, {
      id: `${method}-missing`,
      method,
      params,
      headers: { "mcp-protocol-version": MODERN, "mcp-method": method },
    });
    await expectRefusal(missingName, { status: 400, code: -32020, id: `${method}-missing` });
    const wrongName = await postModern(solo, {
      id: `${method}-wrong`,
      method,
      params,
      headers: { "mcp-protocol-version": MODERN, "mcp-method": method, "mcp-name": other },
    });
    await expectRefusal(wrongName, { status: 400, code: -32020, id: `${method}-wrong` });
    // Refused at the edge: nothing reached the backend.
    expect(modern.requests().length).toBe(before);
  });

  it("accepts Mcp-Name in the base64 sentinel form when it decodes to the body's name", async () => {
    const encoded = `=?base64?${Buffer.from("echo").toString("base64")}?=`;
    const result = await modernResult(solo, {
      id: "b64",
      method: "tools/call",
      params: { name: "echo", arguments: { text: "sentinel" } },
      headers: { "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": encoded },
    });
    expect(readResultText(result)).toBe("sentinel");

    const otherName = `=?base64?${Buffer.from("add").toString("base64")}?=`;
    const refused = await postModern(solo, {
      id: "b64-other",
      method: "tools/call",
      params: { name: "echo", arguments: { text: "sentinel" } },
      headers: { "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": otherName },
    });
    await expectRefusal(refused, { status: 400, code: -32020, id: "b64-other" });
  });

  it("tolerates whitespace around header values", async () => {
    // (HTTP strips optional whitespace around field values; the request must still be served.)
    const result = await modernResult(solo, {
      id: "ws",
      method: "tools/call",
      params: { name: "echo", arguments: { text: "spaced" } },
      headers: {
        "mcp-protocol-version": ` ${MODERN} `,
        "mcp-method": " tools/call\t",
        "mcp-name": "  echo  ",
      },
    });
    expect(readResultText(result)).toBe("spaced");
  });

  it("refuses a log level that is not one of the RFC 5424 names (400, -32602)", async () => {
    const response = await postModern(solo, {
      id: "lvl",
      method: "tools/list",
      meta: { [META.logLevel]: "verbose" },
    });
    await expectRefusal(response, { status: 400, code: -32602, id: "lvl" });
  });
});

// ─── Methods 2026-07-28 does not have ─────────────────────────────────────────────────────────────

describe("removed and unknown methods", () => {
  it.each([
    [
      "initialize",
      { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    ],
    ["ping", {}],
    ["logging/setLevel", { level: "info" }],
    ["resources/subscribe", { uri: "note://welcome" }],
    ["resources/unsubscribe", { uri: "note://welcome" }],
    ["tools/frobnicate", {}],
  ])("answers %s with the 2026 envelope with 404 and -32601, and starts no session", async (method, params) => {
    const response = await postModern(solo, { id: `rm-${method}`, method, params });
    expect(response.headers.get("mcp-session-id")).toBeNull();
    await expectRefusal(response, { status: 404, code: -32601, id: `rm-${method}` });
  });
});

// ─── Transport ────────────────────────────────────────────────────────────────────────────────────

describe("transport without sessions", () => {
  it("answers GET and DELETE without Mcp-Session-Id with 405", async () => {
    for (const method of ["GET", "DELETE"] as const) {
      const response = await postMcp({
        url: solo.url,
        bearer: solo.bearer,
        method,
        headers: { accept: "text/event-stream, application/json", "mcp-protocol-version": MODERN },
      });
      expect(response.status, method).toBe(405);
      await response.body?.cancel();
    }
  });

  it("accepts a notification with the envelope with 202 and no body", async () => {
    const response = await postMcp({
      url: solo.url,
      bearer: solo.bearer,
      message: {
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: "whatever", _meta: envelope() },
      },
      headers: { "mcp-protocol-version": MODERN, "mcp-method": "notifications/cancelled" },
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    expect(response.headers.get("mcp-session-id")).toBeNull();
  });

  it("refuses a JSON-RPC response without a session with 400", async () => {
    const response = await postMcp({
      url: solo.url,
      bearer: solo.bearer,
      message: { jsonrpc: "2.0", id: "answer-1", result: { action: "accept", content: { name: "x" } } },
      headers: { "mcp-protocol-version": MODERN },
    });
    const text = await response.text();
    expect(response.status, text).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: "2.0", error: { code: expect.any(Number) } });
  });

  it("serves a request with the envelope and a stray Mcp-Session-Id statelessly", async () => {
    const legacy = await openLegacy(solo);
    for (const sessionId of ["stray-session-id", legacy.sessionId]) {
      const result = await modernResult(solo, {
        id: `stray-${sessionId}`,
        method: "tools/list",
        extraHeaders: { "mcp-session-id": sessionId },
      });
      expectModernFraming(result);
      expect(namesOf(result.tools)).toContain("in_region");

      const before = modernToolCalls("echo").length;
      const call = await modernResult(solo, {
        id: `stray-call-${sessionId}`,
        method: "tools/call",
        params: { name: "echo", arguments: { text: "no session" } },
        extraHeaders: { "mcp-session-id": sessionId },
      });
      expect(call.resultType).toBe("complete");
      expect(readResultText(call)).toBe("no session");
      const calls = modernToolCalls("echo");
      expect(calls.length).toBe(before + 1);
      expect(calls.at(-1)?.sessionId).toBeUndefined();
    }
  });
});

// ─── Lists and reads ──────────────────────────────────────────────────────────────────────────────

describe("lists and reads", () => {
  const LISTS = [
    ["tools/list", "tools", "name"],
    ["prompts/list", "prompts", "name"],
    ["resources/list", "resources", "uri"],
    ["resources/templates/list", "resourceTemplates", "uriTemplate"],
  ] as const;

  it("aggregates both eras' lists with 2026 framing; a 2025 backend makes the list immediately stale", async () => {
    const expected: Record<string, string[]> = {
      "tools/list": [`${recordingSlug}__echo`, `${recordingSlug}__slow`, `${modernSlug}__in_region`],
      "prompts/list": [`${recordingSlug}__greet`, `${modernSlug}__greet`, `${modernSlug}__greet_asking`],
      "resources/list": [`tumiki.${recordingSlug}.recording://info`, `tumiki.${modernSlug}.note://welcome`],
      "resources/templates/list": [
        `tumiki.${recordingSlug}.recording://items/{id}`,
        `tumiki.${modernSlug}.note://items/{id}`,
      ],
    };
    for (const [method, itemsKey, nameKey] of LISTS) {
      const result = await modernResult(mixed, { id: `list-${method}`, method });
      expectModernFraming(result);
      expect(result.ttlMs, method).toBe(0);
      const names = namesOf(result[itemsKey], nameKey);
      for (const name of expected[method] ?? []) expect(names, method).toContain(name);
      // Slug order: every item of the recording backend comes before the fixture's.
      const firstModern = names.findIndex((name) => name.includes(modernSlug));
      const lastRecording = names.findLastIndex((name) => name.includes(recordingSlug));
      expect(lastRecording, method).toBeLessThan(firstModern);
    }
  });

  it("passes a 2026 backend's freshness through, but always as private (the answer depends on scopes)", async () => {
    // The fixture's hints: tools/list 60 s public, prompts/list 10 s private, the rest 0.
    const expectedTtl: Record<string, number> = {
      "tools/list": 60_000,
      "prompts/list": 10_000,
      "resources/list": 0,
      "resources/templates/list": 0,
    };
    for (const [method, itemsKey] of LISTS) {
      const result = await modernResult(solo, { id: `solo-${method}`, method });
      expectModernFraming(result);
      expect(result.ttlMs, method).toBe(expectedTtl[method]);
      expect((result[itemsKey] as unknown[]).length, method).toBeGreaterThan(0);
    }
  });

  it("reads resources of both eras with 2026 framing and the aggregate's URIs", async () => {
    const fromRecording = await modernResult(mixed, {
      id: "read-rec",
      method: "resources/read",
      params: { uri: `tumiki.${recordingSlug}.recording://info` },
    });
    expectModernFraming(fromRecording);
    expect(fromRecording.ttlMs).toBe(0);
    expect(fromRecording.contents).toEqual([
      expect.objectContaining({ uri: `tumiki.${recordingSlug}.recording://info`, text: expect.any(String) }),
    ]);

    const fromModern = await modernResult(mixed, {
      id: "read-mod",
      method: "resources/read",
      params: { uri: `tumiki.${modernSlug}.note://welcome` },
    });
    expectModernFraming(fromModern);
    // note://welcome is 30 s "public" at the fixture: the freshness passes, the scope does not.
    expect(fromModern.ttlMs).toBe(30_000);
    expect(fromModern.contents).toEqual([
      expect.objectContaining({
        uri: `tumiki.${modernSlug}.note://welcome`,
        text: "Welcome to the modern backend.",
      }),
    ]);
    // The backend was asked under its own URI, with its own URI in Mcp-Name.
    const read = modern
      .requests()
      .filter((request) => request.rpcMethod === "resources/read")
      .at(-1);
    expect(read?.mcpNameHeader).toBe("note://welcome");
    expect((read?.body as { params: { uri: string } }).params.uri).toBe("note://welcome");
  });

  it("gives a 2025 client of the same instance the same lists and reads, without 2026 fields", async () => {
    const legacy = await openLegacy(mixed);
    for (const [method, itemsKey] of LISTS) {
      const modernList = await modernResult(mixed, { id: `cmp-${method}`, method });
      const answer = await legacy.request(`legacy-${method}`, method);
      expect(answer.error, JSON.stringify(answer)).toBeUndefined();
      const result = answer.result ?? {};
      expectLegacyFraming(result);
      expect(result[itemsKey], method).toEqual(modernList[itemsKey]);
    }
    const read = await legacy.request("legacy-read", "resources/read", {
      uri: `tumiki.${modernSlug}.note://welcome`,
    });
    expectLegacyFraming(read.result ?? {});
    expect(read.result?.contents).toEqual([
      expect.objectContaining({ uri: `tumiki.${modernSlug}.note://welcome` }),
    ]);
  });
});

// ─── Calls ────────────────────────────────────────────────────────────────────────────────────────

describe("tools/call", () => {
  it("reaches a 2025 backend in a 2025 session, with no 2026 envelope or headers", async () => {
    const before = recording.requests.length;
    const toolCallsBefore = recording.toolCalls.length;
    const result = await modernResult(mixed, {
      id: "call-rec",
      method: "tools/call",
      params: {
        name: `${recordingSlug}__echo`,
        arguments: { text: "to the 2025 backend" },
      },
      meta: { "com.example/trace": "trace-1" },
    });
    expect(result.resultType).toBe("complete");
    expect(readResultText(result)).toBe("to the 2025 backend");
    expect((result._meta as Record<string, unknown>)[META.serverInfo]).toMatchObject({ name: "tumiki" });

    const call = recording.requests.slice(before).find((request) => request.rpcMethod === "tools/call");
    expect(call).toBeDefined();
    const body = JSON.parse(call?.body ?? "{}") as { params: Record<string, unknown> };
    expect(body.params.name).toBe("echo");
    // Only the client's own _meta keys travel; the envelope is 2026-07-28's and Tumiki's business.
    expect(body.params._meta).toEqual({ "com.example/trace": "trace-1" });
    for (const key of ENVELOPE_KEYS) expect(call?.body).not.toContain(key);
    expect(call?.headers["mcp-method"]).toBeUndefined();
    expect(call?.headers["mcp-name"]).toBeUndefined();
    expect(call?.headers["mcp-protocol-version"]).toMatch(/^2025-/);
    const sessionId = call?.headers["mcp-session-id"];
    expect(typeof sessionId).toBe("string");
    // A proper 2025 session: the backend ran the call in the session it opened at initialize.
    expect(recording.toolCalls.slice(toolCallsBefore)).toEqual([
      { tool: "echo", arguments: { text: "to the 2025 backend" }, sessionId },
    ]);
    const initialize = recording.requests.find(
      (request) => request.rpcMethod === "initialize" && request.status === 200,
    );
    expect(initialize).toBeDefined();
    for (const key of ENVELOPE_KEYS) expect(initialize?.body).not.toContain(key);
  });

  it("does not forward a 2026 client's Mcp-Param-* headers to a 2025 backend", async () => {
    // Mirrored arguments are a 2026-07-28 mechanism: a 2025 backend gets the arguments in the body only.
    const before = recording.requests.length;
    const result = await modernResult(mixed, {
      id: "call-rec-param",
      method: "tools/call",
      params: { name: `${recordingSlug}__echo`, arguments: { text: "param" } },
      extraHeaders: { "mcp-param-region": "eu-west1" },
    });
    expect(readResultText(result)).toBe("param");
    const call = recording.requests.slice(before).find((request) => request.rpcMethod === "tools/call");
    expect(call).toBeDefined();
    expect(Object.keys(call?.headers ?? {}).filter((name) => name.startsWith("mcp-param-"))).toEqual([]);
  });

  it("reaches a 2026 backend with its own name in Mcp-Name, the client's relayed capabilities and Tumiki's identity", async () => {
    const before = modernToolCalls("echo").length;
    const capabilities = {
      elicitation: { form: {} },
      sampling: {},
      roots: { listChanged: true },
      experimental: { "com.example/feature": {} },
      extensions: { "com.example/ext": {} },
    };
    const result = await modernResult(mixed, {
      id: "call-mod",
      method: "tools/call",
      params: { name: `${modernSlug}__echo`, arguments: { text: "to the 2026 backend" } },
      capabilities,
    });
    expect(result.resultType).toBe("complete");
    expect(readResultText(result)).toBe("to the 2026 backend");

    const calls = modernToolCalls("echo");
    expect(calls.length).toBe(before + 1);
    const call = calls.at(-1);
    expect(call?.protocolVersionHeader).toBe(MODERN);
    expect(call?.mcpMethodHeader).toBe("tools/call");
    expect(call?.mcpNameHeader).toBe("echo");
    expect(call?.sessionId).toBeUndefined();
    const meta = (call?.body as { params: { _meta: Record<string, unknown> } }).params._meta;
    expect(meta[META.protocolVersion]).toBe(MODERN);
    expect(meta[META.clientCapabilities]).toEqual({
      elicitation: { form: {} },
      sampling: {},
      roots: { listChanged: true },
    });
    expect(meta[META.clientInfo]).toMatchObject({ name: "tumiki" });
  });

  it("forwards a 2026 client's Mcp-Param-* headers to the backend", async () => {
    const result = await modernResult(solo, {
      id: "region",
      method: "tools/call",
      params: { name: "in_region", arguments: { region: "eu-west1" } },
      extraHeaders: { "mcp-param-region": "eu-west1" },
    });
    expect(readResultText(result)).toBe("region eu-west1; Mcp-Param-Region eu-west1");
    expect(modernToolCalls("in_region").at(-1)?.mcpParamHeaders).toEqual({ Region: "eu-west1" });
  });

  it("mirrors the x-mcp-header itself for a 2025 client in front of a 2026 backend", async () => {
    const legacy = await openLegacy(solo);
    const answer = await legacy.request("legacy-region", "tools/call", {
      name: "in_region",
      arguments: { region: "ap-south1" },
    });
    expect(answer.error, JSON.stringify(answer)).toBeUndefined();
    expect(readResultText(answer.result)).toBe("region ap-south1; Mcp-Param-Region ap-south1");
    expectLegacyFraming(answer.result ?? {});
    // The fixture refused the call without the header (-32020); Tumiki read the schema and retried.
    const [refused, retried] = modernToolCalls("in_region").slice(-2);
    expect(refused).toMatchObject({ status: 400, mcpParamHeaders: {} });
    expect(retried).toMatchObject({ status: 200, mcpParamHeaders: { Region: "ap-south1" } });
  });

  it("passes a 2026 backend's refusal of a mismatched Mcp-Param-* header on as 400 -32020", async () => {
    const response = await postModern(solo, {
      id: "region-mismatch",
      method: "tools/call",
      params: { name: "in_region", arguments: { region: "eu-west1" } },
      extraHeaders: { "mcp-param-region": "us-east1" },
    });
    await expectRefusal(response, { status: 400, code: -32020, id: "region-mismatch" });
  });
});

describe("a capability the client did not declare", () => {
  it("passes a 2026 backend's -32021 on as 400 with the capabilities it requires", async () => {
    // summarize asks for sampling; this client declares only form elicitation.
    const response = await postModern(solo, {
      id: "no-sampling",
      method: "tools/call",
      params: { name: "summarize", arguments: { text: "anything" } },
    });
    const body = await expectRefusal(response, { status: 400, code: -32021, id: "no-sampling" });
    expect(JSON.stringify(body.error?.data)).toContain("sampling");
  });
});

// ─── Errors and logs ──────────────────────────────────────────────────────────────────────────────

describe("resources/read of an unknown URI", () => {
  it("answers a 2026 client with -32602 from a 2026 backend", async () => {
    const response = await postModern(solo, {
      id: "nope",
      method: "resources/read",
      params: { uri: "note://does-not-exist" },
    });
    const answer = await readRpcResponse(response, "nope");
    expect(answer.error?.code, JSON.stringify(answer)).toBe(-32602);
  });

  it("answers a 2026 client with -32602 where a 2025 backend says -32002; a 2025 client keeps -32002", async () => {
    const response = await postModern(missing, {
      id: "gone",
      method: "resources/read",
      params: { uri: "missing://42" },
    });
    const answer = await readRpcResponse(response, "gone");
    expect(answer.error?.code, JSON.stringify(answer)).toBe(-32602);

    const legacy = await openLegacy(missing);
    const legacyAnswer = await legacy.request("gone-legacy", "resources/read", { uri: "missing://42" });
    expect(legacyAnswer.error?.code, JSON.stringify(legacyAnswer)).toBe(-32002);
  });
});

describe("per-request log level", () => {
  const logLevelsOf = (messages: TJsonRpcMessage[]) =>
    messages
      .filter((message) => message.method === "notifications/message")
      .map((message) => message.params?.level);

  it("sends no log messages to a request that asked for none", async () => {
    const response = await postModern(solo, {
      id: "logs-none",
      method: "tools/call",
      params: { name: "log_at_levels", arguments: {} },
    });
    expect(response.status).toBe(200);
    const messages = await readRpcMessages(response);
    expect(logLevelsOf(messages)).toEqual([]);
    expect(messages.at(-1)).toMatchObject({ id: "logs-none", result: { resultType: "complete" } });
  });

  it("sends only messages at or above the request's level", async () => {
    const response = await postModern(solo, {
      id: "logs-warning",
      method: "tools/call",
      params: { name: "log_at_levels", arguments: {} },
      meta: { [META.logLevel]: "warning" },
    });
    expect(response.status).toBe(200);
    const messages = await readRpcMessages(response);
    expect(logLevelsOf(messages)).toEqual(["warning", "error"]);
    expect(messages.at(-1)).toMatchObject({ id: "logs-warning", result: { resultType: "complete" } });
    // The backend was asked with the level in the envelope.
    const meta = (
      modernToolCalls("log_at_levels").at(-1)?.body as { params: { _meta: Record<string, unknown> } }
    ).params._meta;
    expect(meta[META.logLevel]).toBe("warning");
  });
});
