import {
  Client,
  type ElicitRequest,
  type ElicitResult,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPError as V1HttpError,
  StreamableHTTPClientTransport as V1Transport,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ElicitRequest as V1ElicitRequest,
  type ElicitResult as V1ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { startModernBackend, type TModernBackend } from "./start-modern-backend";

// Proves the fixture against real clients over real HTTP: @modelcontextprotocol/client 2.x pinned to
// 2026-07-28 and in auto mode, @modelcontextprotocol/sdk 1.x (2025-11-25), and raw fetch for the exact
// wire answers the gateway learns a backend's era from.

const MODERN = "2026-07-28";
const TOOL_NAMES = [
  "echo",
  "add",
  "count_slowly",
  "wait_until_cancelled",
  "log_at_levels",
  "ask_name",
  "open_link",
  "summarize",
  "list_my_roots",
  "two_questions",
  "change_tools",
  "touch_resource",
  "in_region",
];
const ALL_CAPABILITIES = { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} };
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1.0.0" },
  "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } },
};

type TElicitParams = ElicitRequest["params"];
type TElicitAnswer = (params: TElicitParams) => ElicitResult;

/** Accepts every form with "<field>-answer" strings (true for `confirm`), and every URL. */
const acceptAll: TElicitAnswer = (params) => {
  if (params.mode === "url") return { action: "accept" };
  const fields = Object.keys(params.requestedSchema.properties);
  return {
    action: "accept",
    content: Object.fromEntries(
      fields.map((field) => [field, field === "confirm" ? true : `${field}-answer`]),
    ),
  };
};

/** The text of a tool result's first content block (1.x results are typed as a union with toolResult). */
function textOf(result: object): string {
  const [first] = ("content" in result ? result.content : []) as { type: string; text?: string }[];
  return first?.type === "text" ? (first.text ?? "") : "";
}

async function connectModern(
  backend: TModernBackend,
  options: {
    mode?: "auto" | { pin: typeof MODERN };
    capabilities?: Partial<typeof ALL_CAPABILITIES>;
    elicit?: TElicitAnswer;
    headers?: Record<string, string>;
  } = {},
) {
  const capabilities = options.capabilities ?? ALL_CAPABILITIES;
  const client = new Client(
    { name: "fixture-test", version: "1.0.0" },
    { versionNegotiation: { mode: options.mode ?? { pin: MODERN } }, capabilities },
  );
  const seen = { elicitations: [] as TElicitParams[], samplingTexts: [] as string[], rootsLists: 0 };
  if (capabilities.elicitation) {
    client.setRequestHandler("elicitation/create", async (request) => {
      seen.elicitations.push(request.params);
      return (options.elicit ?? acceptAll)(request.params);
    });
  }
  if (capabilities.sampling) {
    client.setRequestHandler("sampling/createMessage", async (request) => {
      const content = request.params.messages[0]?.content;
      seen.samplingTexts.push(
        content && !Array.isArray(content) && content.type === "text" ? content.text : "",
      );
      return { model: "test-model", role: "assistant", content: { type: "text", text: "a short summary" } };
    });
  }
  if (capabilities.roots) {
    client.setRequestHandler("roots/list", async () => {
      seen.rootsLists += 1;
      return { roots: [{ uri: "file:///projects/one", name: "one" }, { uri: "file:///projects/two" }] };
    });
  }
  onTestFinished(() => client.close());
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), { requestInit: { headers: options.headers } }),
  );
  return { client, seen };
}

async function connectV1(
  backend: TModernBackend,
  elicit?: (params: V1ElicitRequest["params"]) => V1ElicitResult,
) {
  const client = new V1Client(
    { name: "v1-client", version: "1.0.0" },
    { capabilities: { elicitation: { form: {}, url: {} }, sampling: {}, roots: {} } },
  );
  const seen = { elicitations: [] as V1ElicitRequest["params"][], notifications: [] as string[] };
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    seen.elicitations.push(request.params);
    if (elicit) return elicit(request.params);
    if (request.params.mode === "url") return { action: "accept" };
    const fields = Object.keys(request.params.requestedSchema.properties);
    return {
      action: "accept",
      content: Object.fromEntries(fields.map((field) => [field, field === "confirm" ? true : `v1-${field}`])),
    };
  });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    model: "v1-model",
    role: "assistant",
    content: { type: "text", text: "v1 summary" },
  }));
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///v1/root" }] }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    seen.notifications.push(`log ${notification.params.level}`);
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    seen.notifications.push("tools list_changed");
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    seen.notifications.push(`updated ${notification.params.uri}`);
  });
  const transport = new V1Transport(new URL(backend.mcpUrl));
  onTestFinished(() => client.close());
  await client.connect(transport);
  return { client, seen, transport };
}

type TRawAnswer = { status: number; contentType: string; sessionId: string | null; messages: unknown[] };

/** The JSON-RPC messages of a JSON or SSE answer. */
async function readMessages(response: Response): Promise<unknown[]> {
  const body = await response.text();
  if (!response.headers.get("content-type")?.includes("text/event-stream"))
    return body ? [JSON.parse(body)] : [];
  return body
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice("data: ".length)));
}

async function post(
  backend: TModernBackend,
  body: { method: string; id?: number; params?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<TRawAnswer> {
  const response = await fetch(backend.mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", ...body }),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    sessionId: response.headers.get("mcp-session-id"),
    messages: await readMessages(response),
  };
}

/** A 2026-07-28 POST with the envelope and the standard headers the SDK requires. */
function postModern(
  backend: TModernBackend,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return post(
    backend,
    { id: 1, method, params: { ...params, _meta: { ...ENVELOPE, ...(params._meta as object) } } },
    { "mcp-protocol-version": MODERN, "mcp-method": method, ...headers },
  );
}

const INITIALIZE = {
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1.0.0" } },
};

const resultOf = (answer: TRawAnswer) =>
  (answer.messages.at(-1) as { result?: Record<string, unknown> }).result;
const errorOf = (answer: TRawAnswer) =>
  (answer.messages.at(-1) as { error?: { code: number; message: string; data?: Record<string, unknown> } })
    .error;

describe("startModernBackend, legacy: serve, with a 2026-07-28 client", () => {
  let backend: TModernBackend;
  beforeAll(async () => {
    backend = await startModernBackend({ legacy: "serve" });
  });
  afterAll(() => backend.close());

  it("negotiates 2026-07-28 through server/discover and records the probe with its headers", async () => {
    backend.clear();
    const { client } = await connectModern(backend);
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()).toEqual({ name: "modern-backend", version: "1.0.0" });
    const [probe] = backend.requests();
    expect(probe).toMatchObject({
      method: "POST",
      path: "/mcp/modern-backend",
      rpcMethod: "server/discover",
      protocolVersionHeader: MODERN,
      mcpMethodHeader: "server/discover",
      hasAuthorization: false,
      status: 200,
    });
    expect(probe?.body).toMatchObject({
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN } },
    });
  });

  it("lists every tool, with add's outputSchema and in_region's x-mcp-header", async () => {
    const { client } = await connectModern(backend);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get("add")?.outputSchema?.properties).toEqual({ sum: { type: "number" } });
    expect(byName.get("in_region")?.inputSchema.properties?.region).toEqual({
      type: "string",
      "x-mcp-header": "Region",
    });
  });

  it("answers echo, and add with structuredContent", async () => {
    const { client } = await connectModern(backend);
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "hello there" } }))).toBe(
      "hello there",
    );
    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
    expect(textOf(sum)).toBe("42");
    expect(sum.structuredContent).toEqual({ sum: 42 });
  });

  it("reports count_slowly's progress under the request's progressToken", async () => {
    const { client } = await connectModern(backend);
    backend.clear();
    const progress: unknown[] = [];
    const result = await client.callTool(
      { name: "count_slowly", arguments: { n: 3, delayMs: 1 } },
      { onprogress: (update) => progress.push(update) },
    );
    expect(textOf(result)).toBe("counted to 3");
    expect(progress).toEqual([
      { progress: 1, total: 3, message: "step 1" },
      { progress: 2, total: 3, message: "step 2" },
      { progress: 3, total: 3, message: "step 3" },
    ]);
    const [call] = backend.requests();
    expect(call?.body).toMatchObject({ params: { _meta: { progressToken: expect.anything() } } });
  });

  it("logs only at the levels the request's io.modelcontextprotocol/logLevel allows (none without it)", async () => {
    const { client } = await connectModern(backend);
    const levels: string[] = [];
    client.setNotificationHandler("notifications/message", (notification) => {
      levels.push(notification.params.level);
    });
    await client.callTool({ name: "log_at_levels", arguments: {} });
    expect(levels).toEqual([]);
    await client.callTool({
      name: "log_at_levels",
      arguments: {},
      _meta: { [LOG_LEVEL_META_KEY]: "warning" },
    });
    expect(levels).toEqual(["warning", "error"]);
    levels.length = 0;
    await client.callTool({ name: "log_at_levels", arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: "debug" } });
    expect(levels).toEqual(["debug", "info", "warning", "error"]);
  });

  it("ask_name: a form elicitation round trip (retry with inputResponses), and decline and cancel", async () => {
    let answer: TElicitAnswer = () => ({ action: "accept", content: { name: "Ada" } });
    const { client, seen } = await connectModern(backend, { elicit: (params) => answer(params) });
    backend.clear();
    expect(textOf(await client.callTool({ name: "ask_name", arguments: {} }))).toBe("Hello, Ada");
    expect(seen.elicitations).toEqual([
      expect.objectContaining({ mode: "form", message: "What is your name?" }),
    ]);
    const [first, retry] = backend.requests();
    expect(first?.body).not.toHaveProperty("params.inputResponses");
    expect(retry?.body).toMatchObject({
      params: { name: "ask_name", inputResponses: { name: { action: "accept", content: { name: "Ada" } } } },
    });

    answer = () => ({ action: "decline" });
    expect(textOf(await client.callTool({ name: "ask_name", arguments: {} }))).toBe(
      "No name given (decline)",
    );
    answer = () => ({ action: "cancel" });
    expect(textOf(await client.callTool({ name: "ask_name", arguments: {} }))).toBe("No name given (cancel)");
  });

  it("open_link: a URL elicitation that reports what the user did", async () => {
    let action: "accept" | "decline" = "accept";
    const { client, seen } = await connectModern(backend, { elicit: () => ({ action }) });
    const result = await client.callTool({
      name: "open_link",
      arguments: { url: "https://example.com/approve" },
    });
    expect(textOf(result)).toBe("URL elicitation: accept");
    expect(seen.elicitations).toEqual([
      expect.objectContaining({
        mode: "url",
        url: "https://example.com/approve",
        message: "Please open this page",
      }),
    ]);
    action = "decline";
    expect(textOf(await client.callTool({ name: "open_link", arguments: {} }))).toBe(
      "URL elicitation: decline",
    );
  });

  it("summarize: a sampling round trip returns the model's text", async () => {
    const { client, seen } = await connectModern(backend);
    const result = await client.callTool({ name: "summarize", arguments: { text: "a very long text" } });
    expect(textOf(result)).toBe("a short summary");
    expect(seen.samplingTexts).toEqual(["Summarize: a very long text"]);
  });

  it("list_my_roots: a roots/list round trip returns the root URIs", async () => {
    const { client, seen } = await connectModern(backend);
    const result = await client.callTool({ name: "list_my_roots", arguments: {} });
    expect(textOf(result)).toBe("file:///projects/one\nfile:///projects/two");
    expect(seen.rootsLists).toBe(1);
  });

  it("two_questions: two requests in one round, then a round that only works with the first round's requestState", async () => {
    const { client, seen } = await connectModern(backend);
    backend.clear();
    const result = await client.callTool({ name: "two_questions", arguments: {} });
    expect(textOf(result)).toBe("color-answer animal-answer (confirmed: true)");
    expect(seen.elicitations.map((params) => params.message)).toEqual([
      "Favourite color?",
      "Favourite animal?",
      "Confirm: color-answer animal-answer?",
    ]);
    const calls = backend.requests().map((request) => request.body as { params: Record<string, unknown> });
    expect(calls).toHaveLength(3);
    expect(calls[0]?.params).not.toHaveProperty("requestState");
    expect(Object.keys(calls[1]?.params.inputResponses as object).sort()).toEqual(["animal", "color"]);
    expect(calls[1]?.params).not.toHaveProperty("requestState");
    expect(calls[2]?.params.requestState).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(Object.keys(calls[2]?.params.inputResponses as object)).toEqual(["confirm"]);

    const tampered = await postModern(
      backend,
      "tools/call",
      { name: "two_questions", arguments: {}, requestState: "v1.e30.forged", inputResponses: {} },
      { "mcp-name": "two_questions" },
    );
    expect(errorOf(tampered)).toMatchObject({ code: -32602, message: "Invalid or expired requestState" });
  });

  it("refuses summarize with -32021 (HTTP 400) to a caller that declared no sampling capability", async () => {
    const { client } = await connectModern(backend, { capabilities: { elicitation: { form: {}, url: {} } } });
    backend.clear();
    const error = await client
      .callTool({ name: "summarize", arguments: { text: "x" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
    expect(backend.requests().map((request) => request.status)).toEqual([400]);
  });

  it("in_region: the client mirrors the region into Mcp-Param-Region, and the backend checks it", async () => {
    const { client } = await connectModern(backend);
    await client.listTools();
    backend.clear();
    const result = await client.callTool({ name: "in_region", arguments: { region: "eu-west-1" } });
    expect(textOf(result)).toBe("region eu-west-1; Mcp-Param-Region eu-west-1");
    expect(backend.requests()[0]).toMatchObject({
      mcpMethodHeader: "tools/call",
      mcpNameHeader: "in_region",
      mcpParamHeaders: { Region: "eu-west-1" },
    });

    const mismatched = await postModern(
      backend,
      "tools/call",
      { name: "in_region", arguments: { region: "eu-west-1" } },
      { "mcp-name": "in_region", "mcp-param-region": "us-east-1" },
    );
    expect(mismatched.status).toBe(400);
    expect(errorOf(mismatched)?.code).toBe(-32020);
  });

  it("delivers tools list_changed and resources/updated on a subscriptions/listen stream", async () => {
    const { client } = await connectModern(backend);
    const events: string[] = [];
    client.setNotificationHandler("notifications/tools/list_changed", () => {
      events.push("tools list_changed");
    });
    client.setNotificationHandler("notifications/resources/updated", (notification) => {
      events.push(`updated ${notification.params.uri}`);
    });
    const subscription = await client.listen({
      toolsListChanged: true,
      resourceSubscriptions: ["note://subscribed"],
    });
    expect(subscription.honoredFilter).toEqual({
      toolsListChanged: true,
      resourceSubscriptions: ["note://subscribed"],
    });

    await client.callTool({ name: "change_tools", arguments: { action: "add", name: "dynamic_listen" } });
    await vi.waitFor(() => expect(events).toEqual(["tools list_changed"]));
    const { tools } = await client.listTools(undefined, { cacheMode: "bypass" });
    expect(tools.map((tool) => tool.name)).toContain("dynamic_listen");
    expect(textOf(await client.callTool({ name: "dynamic_listen", arguments: {} }))).toBe(
      "dynamic tool dynamic_listen",
    );

    const before = await client.readResource({ uri: "note://subscribed" });
    await client.callTool({ name: "touch_resource", arguments: {} });
    await vi.waitFor(() => expect(events).toEqual(["tools list_changed", "updated note://subscribed"]));
    const after = await client.readResource({ uri: "note://subscribed" });
    expect(after.contents).not.toEqual(before.contents);

    await client.callTool({ name: "change_tools", arguments: { action: "remove", name: "dynamic_listen" } });
    await vi.waitFor(() => expect(events).toHaveLength(3));
    await subscription.close();
    expect(await subscription.closed).toBe("local");
  });

  it("aborts wait_until_cancelled when the client cancels (the 2026 client closes the request's stream)", async () => {
    const { client } = await connectModern(backend);
    const before = backend.cancelledCount();
    const controller = new AbortController();
    const call = client.callTool(
      { name: "wait_until_cancelled", arguments: {} },
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(backend.requests().at(-1)?.rpcMethod).toBe("tools/call"));
    controller.abort("the user pressed stop");
    await expect(call).rejects.toThrow("the user pressed stop");
    await vi.waitFor(() => expect(backend.cancelledCount()).toBe(before + 1));
  });

  it("serves text, blob and template resources, and -32602 for an unknown URI", async () => {
    const { client } = await connectModern(backend);
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual([
      "note://welcome",
      "note://pixel.png",
      "note://subscribed",
    ]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(["note://items/{id}"]);

    const welcome = await client.readResource({ uri: "note://welcome" });
    expect(welcome.contents).toEqual([
      { uri: "note://welcome", mimeType: "text/plain", text: "Welcome to the modern backend." },
    ]);
    const pixel = await client.readResource({ uri: "note://pixel.png" });
    expect(pixel.contents[0]).toMatchObject({ mimeType: "image/png", blob: expect.stringMatching(/^iVBOR/) });
    const item = await client.readResource({ uri: "note://items/beta" });
    expect(item.contents).toEqual([{ uri: "note://items/beta", mimeType: "text/plain", text: "item beta" }]);

    const error = await client.readResource({ uri: "note://missing" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: -32602, message: "Resource not found: note://missing" });
  });

  it("serves the prompts (greet_asking through an elicitation round) and completes arguments", async () => {
    const { client, seen } = await connectModern(backend, {
      elicit: () => ({ action: "accept", content: { name: "Grace" } }),
    });
    const greet = await client.getPrompt({ name: "greet", arguments: { name: "Ada" } });
    expect(greet.messages).toEqual([{ role: "user", content: { type: "text", text: "Hello, Ada!" } }]);
    const asking = await client.getPrompt({ name: "greet_asking" });
    expect(asking.messages).toEqual([{ role: "user", content: { type: "text", text: "Hello, Grace!" } }]);
    expect(seen.elicitations.map((params) => params.message)).toEqual(["Who is greeted?"]);

    const names = await client.complete({
      ref: { type: "ref/prompt", name: "greet" },
      argument: { name: "name", value: "A" },
    });
    expect(names.completion.values).toEqual(["Ada", "Alan"]);
    const ids = await client.complete({
      ref: { type: "ref/resource", uri: "note://items/{id}" },
      argument: { name: "id", value: "g" },
    });
    expect(ids.completion.values).toEqual(["gamma"]);
  });

  it("records the MCP headers and the body of each request; requests() is a copy and clear() empties it", async () => {
    backend.clear();
    await postModern(backend, "tools/list", {}, { authorization: "Bearer must-be-recorded-as-present" });
    const records = backend.requests();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      method: "POST",
      rpcMethod: "tools/list",
      protocolVersionHeader: MODERN,
      mcpMethodHeader: "tools/list",
      hasAuthorization: true,
      sessionId: undefined,
      status: 200,
    });
    expect(JSON.parse(records[0]?.rawBody ?? "")).toEqual(records[0]?.body);
    records.pop();
    expect(backend.requests()).toHaveLength(1);
    backend.clear();
    expect(backend.requests()).toEqual([]);
  });
});

describe("startModernBackend, legacy: serve, with an auto-mode client and a 1.x client", () => {
  let backend: TModernBackend;
  beforeAll(async () => {
    backend = await startModernBackend({ legacy: "serve" });
  });
  afterAll(() => backend.close());

  it("lets an auto-mode 2.x client land on 2026-07-28", async () => {
    const { client } = await connectModern(backend, { mode: "auto" });
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
  });

  it("serves a 1.x client statelessly: no session id, and plain tools work", async () => {
    backend.clear();
    const { client, transport } = await connectV1(backend);
    expect(transport.sessionId).toBeUndefined();
    expect(client.getServerVersion()).toEqual({ name: "modern-backend", version: "1.0.0" });
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "old" } }))).toBe("old");
    expect(
      backend.requests().map((request) => `${request.method} ${request.rpcMethod ?? ""} ${request.status}`),
    ).toEqual([
      "POST initialize 200",
      "POST notifications/initialized 202",
      "GET  405",
      "POST tools/call 200",
    ]);
  });

  it("refuses input-required tools and prompts on the stateless 2025 path (no return path)", async () => {
    const { client, seen } = await connectV1(backend);
    for (const name of ["ask_name", "open_link", "summarize", "list_my_roots", "two_questions"]) {
      const result = await client.callTool({ name, arguments: name === "summarize" ? { text: "x" } : {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("per-request legacy serving cannot receive server-to-client requests");
    }
    await expect(client.getPrompt({ name: "greet_asking" })).rejects.toMatchObject({ code: -32603 });
    expect(seen.elicitations).toEqual([]);
  });

  it("forgets logging/setLevel and resources/subscribe between requests, so it logs everything and notifies nothing", async () => {
    const { client, seen } = await connectV1(backend);
    await client.setLoggingLevel("error");
    await client.callTool({ name: "log_at_levels", arguments: {} });
    expect(seen.notifications).toEqual(["log debug", "log info", "log warning", "log error"]);
    seen.notifications.length = 0;
    await client.subscribeResource({ uri: "note://subscribed" });
    await client.callTool({ name: "touch_resource", arguments: {} });
    await client.callTool({ name: "change_tools", arguments: { action: "add", name: "dynamic_stateless" } });
    await client.callTool({
      name: "change_tools",
      arguments: { action: "remove", name: "dynamic_stateless" },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.notifications).toEqual([]);
  });

  it("does not abort a running call on notifications/cancelled (a fresh instance gets it); only a closed connection does", async () => {
    const { client } = await connectV1(backend);
    const before = backend.cancelledCount();
    const controller = new AbortController();
    const call = client.callTool({ name: "wait_until_cancelled", arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(backend.requests().at(-1)?.rpcMethod).toBe("tools/call"));
    controller.abort("stop");
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(backend.requests().at(-1)?.rpcMethod).toBe("notifications/cancelled"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(backend.cancelledCount()).toBe(before);
    await client.close();
    await vi.waitFor(() => expect(backend.cancelledCount()).toBe(before + 1));
  });

  it("answers progress and resource errors to a 1.x client as on 2025-11-25", async () => {
    const { client } = await connectV1(backend);
    const progress: unknown[] = [];
    await client.callTool({ name: "count_slowly", arguments: { n: 2, delayMs: 1 } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    expect(progress).toHaveLength(2);
    await expect(client.readResource({ uri: "note://missing" })).rejects.toMatchObject({ code: -32602 });
  });
});

describe("startModernBackend, legacy: sessions (2025 sessions beside 2026-07-28)", () => {
  let backend: TModernBackend;
  beforeAll(async () => {
    backend = await startModernBackend({ legacy: "sessions" });
  });
  afterAll(() => backend.close());

  it("gives a 1.x client a session, and the legacy shim turns input-required into real server→client requests", async () => {
    const { client, seen, transport } = await connectV1(backend);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(textOf(await client.callTool({ name: "ask_name", arguments: {} }))).toBe("Hello, v1-name");
    const link = await client.callTool({ name: "open_link", arguments: {} });
    expect(textOf(link)).toBe("URL elicitation: accept");
    expect(textOf(await client.callTool({ name: "summarize", arguments: { text: "x" } }))).toBe("v1 summary");
    expect(textOf(await client.callTool({ name: "list_my_roots", arguments: {} }))).toBe("file:///v1/root");
    expect(textOf(await client.callTool({ name: "two_questions", arguments: {} }))).toBe(
      "v1-color v1-animal (confirmed: true)",
    );
    const prompt = await client.getPrompt({ name: "greet_asking" });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Hello, v1-name!" });
    expect(seen.elicitations.map((params) => params.message)).toEqual([
      "What is your name?",
      "Please open this page",
      "Favourite color?",
      "Favourite animal?",
      "Confirm: v1-color v1-animal?",
      "Who is greeted?",
    ]);
    // URL legs get an elicitationId the 2025-11-25 wire requires.
    expect(seen.elicitations[1]).toMatchObject({ mode: "url", elicitationId: expect.any(String) });
    // Every answer to a server→client request is a POST on the same session.
    const sessionIds = new Set(backend.requests().map((request) => request.sessionId));
    expect([...sessionIds].filter(Boolean)).toEqual([transport.sessionId]);
  });

  it("honours logging/setLevel, and sends list_changed and subscribed resources/updated unsolicited", async () => {
    const { client, seen } = await connectV1(backend);
    await client.setLoggingLevel("warning");
    await client.callTool({ name: "log_at_levels", arguments: {} });
    expect(seen.notifications).toEqual(["log warning", "log error"]);
    await client.subscribeResource({ uri: "note://subscribed" });
    await client.callTool({ name: "touch_resource", arguments: {} });
    await client.callTool({ name: "change_tools", arguments: { action: "add", name: "dynamic_session" } });
    await vi.waitFor(() =>
      expect(seen.notifications).toEqual(
        expect.arrayContaining(["updated note://subscribed", "tools list_changed"]),
      ),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("dynamic_session");

    // A session opened after the change starts with the tool, and loses it with everyone else.
    const later = await connectV1(backend);
    expect((await later.client.listTools()).tools.map((tool) => tool.name)).toContain("dynamic_session");
    await client.callTool({ name: "change_tools", arguments: { action: "remove", name: "dynamic_session" } });
    await vi.waitFor(() =>
      expect(seen.notifications.filter((note) => note === "tools list_changed")).toHaveLength(2),
    );
    await vi.waitFor(() => expect(later.seen.notifications).toEqual(["tools list_changed"]));
    expect((await later.client.listTools()).tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
  });

  it("aborts wait_until_cancelled on a 1.x notifications/cancelled", async () => {
    const { client } = await connectV1(backend);
    const before = backend.cancelledCount();
    const controller = new AbortController();
    const call = client.callTool({ name: "wait_until_cancelled", arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(backend.requests().at(-1)?.rpcMethod).toBe("tools/call"));
    controller.abort("stop");
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(backend.cancelledCount()).toBe(before + 1));
    expect(backend.requests().at(-1)?.rpcMethod).toBe("notifications/cancelled");
  });

  it("still serves 2026-07-28 (pinned and auto) beside the sessions", async () => {
    const { client } = await connectModern(backend, { mode: "auto" });
    expect(client.getProtocolEra()).toBe("modern");
    expect(textOf(await client.callTool({ name: "ask_name", arguments: {} }))).toBe("Hello, name-answer");
  });
});

describe("startModernBackend, legacy: reject", () => {
  let backend: TModernBackend;
  beforeAll(async () => {
    backend = await startModernBackend({ legacy: "reject" });
  });
  afterAll(() => backend.close());

  it("fails a 1.x client's initialize with HTTP 400 and -32022", async () => {
    backend.clear();
    const error = await connectV1(backend).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(V1HttpError);
    expect(error).toMatchObject({ code: 400 });
    expect(String((error as Error).message)).toContain('"code":-32022');
    expect(backend.requests().map((request) => `${request.rpcMethod} ${request.status}`)).toEqual([
      "initialize 400",
    ]);
  });

  it("serves 2.x clients in auto and pinned mode on 2026-07-28", async () => {
    const auto = await connectModern(backend, { mode: "auto" });
    expect(auto.client.getProtocolEra()).toBe("modern");
    const pinned = await connectModern(backend);
    expect(textOf(await pinned.client.callTool({ name: "echo", arguments: { text: "strict" } }))).toBe(
      "strict",
    );
  });
});

describe("startModernBackend wire answers (what a gateway learns a backend's era from)", () => {
  const backends = {} as Record<"serve" | "reject" | "sessions", TModernBackend>;
  beforeAll(async () => {
    backends.serve = await startModernBackend({ legacy: "serve" });
    backends.reject = await startModernBackend({ legacy: "reject" });
    backends.sessions = await startModernBackend({ legacy: "sessions" });
  });
  afterAll(() => Promise.all(Object.values(backends).map((backend) => backend.close())));

  it("initialize: serve answers over SSE without a session, sessions with one, reject with 400 -32022", async () => {
    const serve = await post(backends.serve, INITIALIZE);
    expect(serve).toMatchObject({ status: 200, contentType: "text/event-stream", sessionId: null });
    expect(resultOf(serve)).toMatchObject({
      protocolVersion: "2025-11-25",
      serverInfo: { name: "modern-backend" },
    });

    const sessions = await post(backends.sessions, INITIALIZE);
    expect(sessions).toMatchObject({ status: 200, contentType: "text/event-stream" });
    expect(sessions.sessionId).toMatch(/^[0-9a-f-]{36}$/);

    const reject = await post(backends.reject, INITIALIZE);
    expect(reject).toMatchObject({ status: 400, contentType: "application/json" });
    expect(errorOf(reject)).toEqual({
      code: -32022,
      message: "Unsupported protocol version: 2025-11-25",
      data: { supported: [MODERN], requested: "2025-11-25" },
    });
  });

  it("server/discover: the same JSON answer in every mode, with its cache hint", async () => {
    for (const backend of Object.values(backends)) {
      const answer = await postModern(backend, "server/discover");
      expect(answer).toMatchObject({ status: 200, contentType: "application/json" });
      expect(resultOf(answer)).toMatchObject({
        supportedVersions: [MODERN],
        resultType: "complete",
        ttlMs: 300_000,
        cacheScope: "public",
        capabilities: { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true } },
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "modern-backend", version: "1.0.0" } },
      });
    }
    // Without the envelope it is a 2025 request, and answered as one.
    const bare = { id: 1, method: "server/discover", params: {} };
    const bareServe = await post(backends.serve, bare);
    expect(bareServe).toMatchObject({ status: 200, contentType: "text/event-stream" });
    expect(errorOf(bareServe)?.code).toBe(-32601);
    const bareReject = await post(backends.reject, bare);
    expect(bareReject.status).toBe(400);
    expect(errorOf(bareReject)?.code).toBe(-32022);
    const bareSessions = await post(backends.sessions, bare);
    expect(bareSessions.status).toBe(400);
    expect(errorOf(bareSessions)?.code).toBe(-32000);

    const withoutHeader = await post(backends.serve, {
      id: 1,
      method: "server/discover",
      params: { _meta: ENVELOPE },
    });
    expect(withoutHeader.status).toBe(400);
    expect(errorOf(withoutHeader)?.code).toBe(-32020);
  });

  it("a 2025 request without _meta: served by serve, 400 -32022 from reject, 400 without a session from sessions", async () => {
    const toolsList = { id: 2, method: "tools/list", params: {} };
    const serve = await post(backends.serve, toolsList, { "mcp-protocol-version": "2025-11-25" });
    expect(serve).toMatchObject({ status: 200, contentType: "text/event-stream" });
    expect((resultOf(serve)?.tools as unknown[]).length).toBe(TOOL_NAMES.length);
    expect(resultOf(serve)).not.toHaveProperty("ttlMs");

    const reject = await post(backends.reject, toolsList, { "mcp-protocol-version": "2025-11-25" });
    expect(reject.status).toBe(400);
    expect(errorOf(reject)).toMatchObject({
      code: -32022,
      data: { supported: [MODERN], requested: "2025-11-25" },
    });
    const rejectNoHeader = await post(backends.reject, toolsList);
    expect(errorOf(rejectNoHeader)).toEqual({
      code: -32022,
      message: "Unsupported protocol version: the request did not name a protocol version",
      data: { supported: [MODERN] },
    });

    const sessions = await post(backends.sessions, toolsList);
    expect(sessions.status).toBe(400);
    expect(errorOf(sessions)?.code).toBe(-32000);
    const unknownSession = await post(backends.sessions, toolsList, { "mcp-session-id": "no-such-session" });
    expect(unknownSession.status).toBe(404);
    expect(errorOf(unknownSession)?.code).toBe(-32001);
  });

  it("an unknown method: HTTP 404 -32601 on 2026-07-28 everywhere, 200 -32601 on the 2025 stateless path", async () => {
    for (const backend of Object.values(backends)) {
      const modern = await postModern(backend, "nothing/here");
      expect(modern.status).toBe(404);
      expect(errorOf(modern)).toEqual({ code: -32601, message: "Method not found" });
    }
    const legacy = await post(backends.serve, { id: 3, method: "nothing/here", params: {} });
    expect(legacy).toMatchObject({ status: 200, contentType: "text/event-stream" });
    expect(errorOf(legacy)?.code).toBe(-32601);
    for (const method of ["resources/subscribe", "logging/setLevel", "ping"]) {
      expect(
        (await postModern(backends.serve, method, { uri: "note://welcome", level: "info" })).status,
      ).toBe(404);
    }
  });

  it("GET and DELETE: 405 where there are no 2025 sessions", async () => {
    for (const backend of [backends.serve, backends.reject]) {
      for (const method of ["GET", "DELETE"]) {
        const response = await fetch(backend.mcpUrl, { method, headers: { accept: "text/event-stream" } });
        expect(response.status).toBe(405);
        expect(await response.json()).toEqual({
          jsonrpc: "2.0",
          error: { code: -32000, message: "Method not allowed." },
          id: null,
        });
      }
    }
  });

  it("input_required and -32021 on the wire: resultType, inputRequests, and HTTP 400", async () => {
    const asking = await postModern(
      backends.serve,
      "tools/call",
      { name: "ask_name", arguments: {} },
      {
        "mcp-name": "ask_name",
      },
    );
    expect(asking).toMatchObject({ status: 200, contentType: "application/json" });
    expect(resultOf(asking)).toMatchObject({
      resultType: "input_required",
      inputRequests: {
        name: { method: "elicitation/create", params: { mode: "form", message: "What is your name?" } },
      },
    });
    const refused = await postModern(
      backends.serve,
      "tools/call",
      { name: "list_my_roots", arguments: {} },
      {
        "mcp-name": "list_my_roots",
      },
    );
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toMatchObject({ code: -32021, data: { requiredCapabilities: { roots: {} } } });
  });

  it("cache hints: tools/list 60 s public, prompts/list 10 s private, note://welcome 30 s public, others 0", async () => {
    const hints = async (method: string, params: Record<string, unknown> = {}, headers = {}) => {
      const result = resultOf(await postModern(backends.serve, method, params, headers));
      return [result?.ttlMs, result?.cacheScope];
    };
    expect(await hints("tools/list")).toEqual([60_000, "public"]);
    expect(await hints("prompts/list")).toEqual([10_000, "private"]);
    expect(await hints("resources/list")).toEqual([0, "private"]);
    expect(
      await hints("resources/read", { uri: "note://welcome" }, { "mcp-name": "note://welcome" }),
    ).toEqual([30_000, "public"]);
    expect(
      await hints("resources/read", { uri: "note://pixel.png" }, { "mcp-name": "note://pixel.png" }),
    ).toEqual([0, "private"]);
  });

  it("a subscriptions/listen stream: SSE, the acknowledgement first, then each notification with the subscription id", async () => {
    const controller = new AbortController();
    onTestFinished(() => controller.abort());
    const response = await fetch(backends.serve.mcpUrl, {
      method: "POST",
      signal: controller.signal,
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": MODERN,
        "mcp-method": "subscriptions/listen",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "subscriptions/listen",
        params: {
          notifications: { toolsListChanged: true, resourceSubscriptions: ["note://subscribed"] },
          _meta: ENVELOPE,
        },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const frames: unknown[] = [];
    let buffered = "";
    const readFrames = async (count: number) => {
      while (frames.length < count) {
        const { done, value } = await reader.read();
        if (done) throw new Error("the listen stream ended");
        buffered += new TextDecoder().decode(value);
        const events = buffered.split("\n\n");
        buffered = events.pop() ?? "";
        for (const event of events) {
          const data = event.split("\n").find((line) => line.startsWith("data: "));
          if (data) frames.push(JSON.parse(data.slice("data: ".length)));
        }
      }
    };
    await readFrames(1);
    await postModern(
      backends.serve,
      "tools/call",
      { name: "touch_resource", arguments: {} },
      {
        "mcp-name": "touch_resource",
      },
    );
    await readFrames(2);
    expect(frames).toEqual([
      {
        jsonrpc: "2.0",
        method: "notifications/subscriptions/acknowledged",
        params: {
          notifications: { toolsListChanged: true, resourceSubscriptions: ["note://subscribed"] },
          _meta: { "io.modelcontextprotocol/subscriptionId": 7 },
        },
      },
      {
        jsonrpc: "2.0",
        method: "notifications/resources/updated",
        params: { uri: "note://subscribed", _meta: { "io.modelcontextprotocol/subscriptionId": 7 } },
      },
    ]);
  });
});

describe("startModernBackend with an API key", () => {
  let backend: TModernBackend;
  beforeAll(async () => {
    backend = await startModernBackend({
      legacy: "serve",
      apiKey: "backend-key-1",
      apiKeyHeader: "X-Backend-Key",
    });
  });
  afterAll(() => backend.close());

  it("answers 401 without the key, and records the refused request", async () => {
    backend.clear();
    const error = await connectModern(backend).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkError);
    expect(error).toMatchObject({ code: SdkErrorCode.ClientHttpAuthentication });
    expect(backend.requests().map((request) => `${request.rpcMethod} ${request.status}`)).toEqual([
      "server/discover 401",
    ]);
    const wrong = await postModern(backend, "tools/list", {}, { "x-backend-key": "backend-key-2" });
    expect(wrong.status).toBe(401);
  });

  it("serves a client that sends the key in the configured header", async () => {
    backend.clear();
    const { client } = await connectModern(backend, { headers: { "X-Backend-Key": "backend-key-1" } });
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "keyed" } }))).toBe("keyed");
    expect(backend.apiKeyHeader).toBe("x-backend-key");
    expect(backend.requests().every((request) => request.headers["x-backend-key"] === "backend-key-1")).toBe(
      true,
    );
  });
});
