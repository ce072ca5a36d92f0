import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  acceptedContent,
  type CallToolResult,
  completable,
  createMcpHandler,
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
  type RegisteredTool,
  type RequestStateCodec,
  ResourceTemplate,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import { serveRouteHandlers } from "./serve-route-handlers";

// A real MCP server on @modelcontextprotocol/server 2.x on a loopback port, for tests that put a
// 2026-07-28 backend behind Tumiki. Serving is the SDK's public API only: `createMcpHandler` (a fresh
// McpServer per request), plus, for `legacy: "sessions"`, the SDK's WebStandardStreamableHTTPServerTransport
// behind `isLegacyRequest` (the SDK's documented way to keep sessionful 2025 serving beside a strict
// handler). The fixture adds an API-key wall and records every HTTP request (MCP headers, JSON-RPC body,
// answered status) so a test can prove what the gateway sent.
//
// Wire answers, SDK 2.4.0 (start-modern-backend.test.ts pins them). "2026 POST" = params._meta carries
// io.modelcontextprotocol/protocolVersion "2026-07-28" (and clientCapabilities, which is required) AND
// the MCP-Protocol-Version and Mcp-Method headers are sent (plus Mcp-Name for tools/call, prompts/get,
// resources/read): without a required header the SDK answers 400 -32020 HeaderMismatch.
//
// legacy: "serve" = createMcpHandler's default `legacy: 'stateless'` (both eras, no 2025 sessions)
//   initialize                  200 text/event-stream, one `message` event with the InitializeResult
//                               (protocolVersion = the one the client asked for if supported, e.g.
//                               "2025-11-25"); no Mcp-Session-Id header
//   server/discover, 2026 POST  200 application/json {supportedVersions: ["2026-07-28"], capabilities,
//                               resultType: "complete", ttlMs: 300000, cacheScope: "public",
//                               _meta: {"io.modelcontextprotocol/serverInfo": {name, version}}}
//   server/discover, no _meta   200 SSE, -32601 Method not found (no envelope = a 2025 request)
//   2025 request, no _meta      200 SSE, answered by a fresh instance with no initialize before it
//   unknown method, 2026 POST   404 application/json {"jsonrpc":"2.0","id":1,"error":{"code":-32601,
//                               "message":"Method not found"}} (also ping, logging/setLevel,
//                               resources/subscribe: 2025-only methods are absent on 2026-07-28)
//   unknown method, 2025        200 SSE, -32601
//   2025 notification           202, empty;  GET and DELETE: 405 -32000 "Method not allowed."
// legacy: "reject" = createMcpHandler `legacy: 'reject'` (2026-07-28 only)
//   initialize                  400 application/json {"jsonrpc":"2.0","error":{"code":-32022,"message":
//                               "Unsupported protocol version: 2025-11-25","data":{"supported":
//                               ["2026-07-28"],"requested":"2025-11-25"}},"id":1}
//   server/discover, 2026 POST  as "serve";  server/discover without _meta: 400 -32022 as below
//   2025 request, no _meta      400 -32022, `requested` = the MCP-Protocol-Version header; without that
//                               header "Unsupported protocol version: the request did not name a
//                               protocol version", data {supported: ["2026-07-28"]}
//   unknown method, 2026 POST   404 -32601;  2025 notification: 202 (dropped);  GET, DELETE: 405
// legacy: "sessions" (2026 traffic to a `legacy: 'reject'` handler, 2025 traffic to 2025 sessions)
//   initialize                  200 SSE InitializeResult with an Mcp-Session-Id header
//   server/discover, 2026 POST  as "serve";  without _meta: 400 -32000 (no session id)
//   2025 request, no session    400 -32000 "Bad Request: Mcp-Session-Id header is required" (also GET,
//                               notifications);  unknown session id: 404 -32001 "Session not found"
//   unknown method, 2026 POST   404 -32601;  in a session: 200 SSE -32601
//
// What works on which era (every tool is written once, in the 2026 `inputRequired(...)` style):
// - 2026-07-28 (all modes): everything. An input-required tool answers 200 application/json
//   {resultType: "input_required", inputRequests: {<key>: {method: "elicitation/create", params}}} and
//   the client retries the call with params.inputResponses (and params.requestState, here an
//   HMAC-signed "v1.<payload>.<mac>" string from createRequestStateCodec). A caller whose envelope
//   lacks the needed capability gets 400 -32021 {data: {requiredCapabilities}}. Logs are sent only
//   when the request's _meta carries io.modelcontextprotocol/logLevel. Change notifications travel
//   only on `subscriptions/listen` streams. Cancelling = closing the request's stream.
// - 2025 on "sessions": the SDK's legacy shim sends each input request as a real server→client request
//   (elicitation/create, sampling/createMessage, roots/list) on the originating POST's SSE stream and
//   re-enters the handler; tools/list_changed goes out on the GET stream, resources/updated to sessions
//   that subscribed; logging/setLevel filters; notifications/cancelled aborts the call.
// - 2025 on "serve" (stateless): each POST gets a fresh instance that saw no initialize, so it knows no
//   client capabilities and has no return path. Input-required tools answer an isError result ("...
//   per-request legacy serving cannot receive server-to-client requests"), greet_asking a -32603
//   error; no notification is ever delivered (resources/subscribe answers {} and is forgotten);
//   logging/setLevel is forgotten, so every request logs at every level; notifications/cancelled
//   reaches a fresh instance, so only closing the connection aborts a running call.
//
// Tools: echo {text}; add {a, b} (outputSchema, structuredContent {sum}); count_slowly {n, delayMs}
// (one notifications/progress per step); wait_until_cancelled (blocks until aborted: cancelledCount());
// log_at_levels (debug, info, warning, error via ctx.mcpReq.log); ask_name (form elicitation; decline
// and cancel answered); open_link {url} (URL elicitation); summarize {text} (sampling, and the tool to
// observe -32021 with a caller without the sampling capability); list_my_roots (roots); two_questions
// (two elicitations in one round, then a round that needs the first round's requestState);
// change_tools {action, name} (adds or removes a `dynamic_*` tool, publishes tools list_changed);
// touch_resource (next revision of note://subscribed, publishes resources/updated); in_region {region}
// (`"x-mcp-header": "Region"`: returns the argument and the Mcp-Param-Region header it came with).
// Resources: note://welcome (text), note://pixel.png (blob), note://subscribed, template
// note://items/{id} (completes id); unknown URIs: -32602 "Resource not found: <uri>" on both eras.
// Prompts: greet {name} (completes name), greet_asking (asks the name by form elicitation).
// Cache hints (2026 only): server/discover 300 s public, tools/list 60 s public, prompts/list 10 s
// private, note://welcome 30 s public; everything else ttlMs 0, cacheScope "private".

export type TModernBackendLegacy = "serve" | "reject" | "sessions";

export type TModernBackendOptions = {
  /** How 2025-era traffic is answered: see the table above. */
  legacy: TModernBackendLegacy;
  /** serverInfo.name; default "modern-backend". */
  name?: string;
  /** Require this key in `apiKeyHeader` on every request (401 otherwise). */
  apiKey?: string;
  /** Default "x-api-key". */
  apiKeyHeader?: string;
  /** 0 (ephemeral) or a port in 4100-4999. */
  port?: number;
};

export type TModernBackendRequest = {
  method: string;
  /** e.g. /mcp/modern-backend */
  path: string;
  /** Every header as received (names lower-case). */
  headers: Record<string, string>;
  protocolVersionHeader?: string;
  mcpMethodHeader?: string;
  mcpNameHeader?: string;
  /** Mcp-Param-* headers by the name after the prefix as sent (`Region` for Mcp-Param-Region). */
  mcpParamHeaders: Record<string, string>;
  sessionId?: string;
  hasAuthorization: boolean;
  /** The raw body (empty for GET and DELETE). */
  rawBody: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  body: unknown;
  /** The JSON-RPC method, when the body is one message with a method. */
  rpcMethod?: string;
  /** The HTTP status answered (undefined until the handler answered). */
  status?: number;
};

export type TModernBackend = {
  name: string;
  legacy: TModernBackendLegacy;
  /** e.g. http://127.0.0.1:41234/mcp/modern-backend */
  mcpUrl: string;
  /** `host:port`, as OUTBOUND_ALLOWED_PRIVATE_HOSTS lists it. */
  hostPort: string;
  apiKey?: string;
  apiKeyHeader: string;
  /** Every HTTP request that reached the server, in order of arrival (a copy). */
  requests(): TModernBackendRequest[];
  clear(): void;
  /** How many wait_until_cancelled calls saw their request aborted. */
  cancelledCount(): number;
  close(): Promise<void>;
};

type TEra = "legacy" | "modern";

type TSharedState = {
  name: string;
  dynamicTools: Set<string>;
  noteRevision: number;
  cancelled: number;
  publish: TPublisher;
  /** Signs two_questions' requestState (HMAC, a per-fixture key): one process serves every round. */
  stateCodec: RequestStateCodec<TTwoQuestionsState>;
};

type TPublisher = { toolsChanged(): void; resourceUpdated(uri: string): void };

/** What a server instance tracks for change notifications; it outlives a request only in a 2025 session. */
type TInstanceState = {
  /** URIs this session sent resources/subscribe for. */
  subscriptions: Set<string>;
  /** The registrations of change_tools' tools, to remove them when the shared set changes. */
  dynamicTools: Map<string, RegisteredTool>;
};

type TLegacySession = TInstanceState & {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
};

type TTwoQuestionsState = { step: "confirm"; color: string; animal: string };

const MCP_PATH_ID = "modern-backend";
const SUBSCRIBED_URI = "note://subscribed";
const ITEM_IDS = ["alpha", "beta", "gamma"];
const GREET_NAMES = ["Ada", "Alan", "Grace"];
const PIXEL_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=";
/** wait_until_cancelled gives up after this long, so a test that forgets to abort still ends. */
const WAIT_LIMIT_MS = 30_000;
const NAME_SCHEMA = z.object({ name: z.string().min(1) });
const COLOR_SCHEMA = z.object({ color: z.string() });
const ANIMAL_SCHEMA = z.object({ animal: z.string() });
const CONFIRM_SCHEMA = z.object({ confirm: z.boolean() });

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

function registerDynamicTool(server: McpServer, name: string): RegisteredTool {
  return server.registerTool(name, { description: "Added at run time by change_tools." }, async () =>
    text(`dynamic tool ${name}`),
  );
}

function registerTools(server: McpServer, state: TSharedState, instance: TInstanceState) {
  server.registerTool(
    "echo",
    { description: "Returns its text unchanged.", inputSchema: z.object({ text: z.string() }) },
    async (args) => text(args.text),
  );

  server.registerTool(
    "add",
    {
      description: "Adds two numbers.",
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      outputSchema: z.object({ sum: z.number() }),
    },
    async ({ a, b }) => ({
      content: [{ type: "text", text: String(a + b) }],
      structuredContent: { sum: a + b },
    }),
  );

  server.registerTool(
    "count_slowly",
    {
      description: "Counts to n, one progress notification per step.",
      inputSchema: z.object({
        n: z.number().int().min(1).max(50),
        delayMs: z.number().int().min(0).max(1_000).default(20),
      }),
    },
    async ({ n, delayMs }, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (let step = 1; step <= n; step += 1) {
        await sleep(delayMs, undefined, { signal: ctx.mcpReq.signal });
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken, progress: step, total: n, message: `step ${step}` },
          });
        }
      }
      return text(`counted to ${n}`);
    },
  );

  server.registerTool(
    "wait_until_cancelled",
    { description: "Blocks until the request is cancelled (gives up after 30 s)." },
    async (ctx) => {
      const { signal } = ctx.mcpReq;
      const cancelled = await new Promise<boolean>((resolve) => {
        if (signal.aborted) return resolve(true);
        const timer = setTimeout(() => resolve(false), WAIT_LIMIT_MS);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (cancelled) state.cancelled += 1;
      return text(cancelled ? "cancelled" : "never cancelled");
    },
  );

  server.registerTool(
    "log_at_levels",
    { description: "Logs one message at each of debug, info, warning and error." },
    async (ctx) => {
      for (const level of ["debug", "info", "warning", "error"] as const) {
        await ctx.mcpReq.log(level, `${level} message`, "log_at_levels");
      }
      return text("logged at debug, info, warning, error");
    },
  );

  server.registerTool(
    "ask_name",
    { description: "Asks the user's name (form elicitation) and greets them." },
    async (ctx): Promise<CallToolResult | InputRequiredResult> => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, "name");
      if (answer.kind === "elicit" && answer.action !== "accept")
        return text(`No name given (${answer.action})`);
      const accepted = acceptedContent(ctx.mcpReq.inputResponses, "name", NAME_SCHEMA);
      if (accepted) return text(`Hello, ${accepted.name}`);
      return inputRequired({
        inputRequests: {
          name: inputRequired.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }),
        },
      });
    },
  );

  server.registerTool(
    "open_link",
    {
      description: "Sends the user to a URL (URL elicitation) and reports what they did.",
      inputSchema: z.object({ url: z.url().default("https://example.com/consent") }),
    },
    async ({ url }, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, "link");
      if (answer.kind === "elicit") return text(`URL elicitation: ${answer.action}`);
      return inputRequired({
        inputRequests: { link: inputRequired.elicitUrl({ message: "Please open this page", url }) },
      });
    },
  );

  server.registerTool(
    "summarize",
    {
      description: "Asks the client's model (sampling) to summarize text.",
      inputSchema: z.object({ text: z.string() }),
    },
    async (args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, "summary");
      if (answer.kind === "sampling") {
        const block = Array.isArray(answer.result.content) ? answer.result.content[0] : answer.result.content;
        return text(block?.type === "text" ? block.text : "(no text)");
      }
      return inputRequired({
        inputRequests: {
          summary: inputRequired.createMessage({
            messages: [{ role: "user", content: { type: "text", text: `Summarize: ${args.text}` } }],
            maxTokens: 100,
          }),
        },
      });
    },
  );

  server.registerTool(
    "list_my_roots",
    { description: "Asks the client for its roots and returns their URIs, one per line." },
    async (ctx): Promise<CallToolResult | InputRequiredResult> => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, "roots");
      if (answer.kind === "roots") return text(answer.roots.map((root) => root.uri).join("\n"));
      return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
    },
  );

  server.registerTool(
    "two_questions",
    {
      description:
        "Asks a color and an animal in one round, then (carrying both in requestState) asks for a confirmation.",
    },
    async (ctx): Promise<CallToolResult | InputRequiredResult> => {
      const saved = ctx.mcpReq.requestState<TTwoQuestionsState>();
      if (saved?.step === "confirm") {
        const confirmed = acceptedContent(ctx.mcpReq.inputResponses, "confirm", CONFIRM_SCHEMA);
        if (confirmed === undefined) return text("Not confirmed");
        return text(`${saved.color} ${saved.animal} (confirmed: ${confirmed.confirm})`);
      }
      const color = acceptedContent(ctx.mcpReq.inputResponses, "color", COLOR_SCHEMA);
      const animal = acceptedContent(ctx.mcpReq.inputResponses, "animal", ANIMAL_SCHEMA);
      if (color && animal) {
        // The answers of this round exist nowhere else: the next round reads them from the state.
        return inputRequired({
          inputRequests: {
            confirm: inputRequired.elicit({
              message: `Confirm: ${color.color} ${animal.animal}?`,
              requestedSchema: CONFIRM_SCHEMA,
            }),
          },
          requestState: await state.stateCodec.mint({
            step: "confirm",
            color: color.color,
            animal: animal.animal,
          }),
        });
      }
      return inputRequired({
        inputRequests: {
          color: inputRequired.elicit({ message: "Favourite color?", requestedSchema: COLOR_SCHEMA }),
          animal: inputRequired.elicit({ message: "Favourite animal?", requestedSchema: ANIMAL_SCHEMA }),
        },
      });
    },
  );

  server.registerTool(
    "change_tools",
    {
      description: "Adds or removes a tool and publishes notifications/tools/list_changed.",
      inputSchema: z.object({
        action: z.enum(["add", "remove"]),
        name: z
          .string()
          .regex(/^dynamic_[a-z0-9_]{1,32}$/)
          .default("dynamic_tool"),
      }),
    },
    async ({ action, name }) => {
      const changed = action === "add" ? !state.dynamicTools.has(name) : state.dynamicTools.has(name);
      if (action === "add") state.dynamicTools.add(name);
      else state.dynamicTools.delete(name);
      if (changed) state.publish.toolsChanged();
      return text(
        `${changed ? "changed" : "unchanged"}; dynamic tools: ${[...state.dynamicTools].join(", ")}`,
      );
    },
  );

  server.registerTool(
    "touch_resource",
    { description: `Changes ${SUBSCRIBED_URI} and publishes notifications/resources/updated for it.` },
    async () => {
      state.noteRevision += 1;
      state.publish.resourceUpdated(SUBSCRIBED_URI);
      return text(`${SUBSCRIBED_URI} is at revision ${state.noteRevision}`);
    },
  );

  server.registerTool(
    "in_region",
    {
      description: "Returns the region argument and the Mcp-Param-Region header it arrived with.",
      inputSchema: z.object({ region: z.string().meta({ "x-mcp-header": "Region" }) }),
    },
    async ({ region }, ctx) => {
      const header = ctx.http?.req?.headers.get("mcp-param-region") ?? "(none)";
      return text(`region ${region}; Mcp-Param-Region ${header}`);
    },
  );

  for (const name of state.dynamicTools) instance.dynamicTools.set(name, registerDynamicTool(server, name));
}

function registerResources(server: McpServer, state: TSharedState) {
  server.registerResource(
    "welcome",
    "note://welcome",
    {
      description: "A static text note.",
      mimeType: "text/plain",
      cacheHint: { ttlMs: 30_000, cacheScope: "public" },
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "Welcome to the modern backend." }],
    }),
  );

  server.registerResource(
    "pixel",
    "note://pixel.png",
    { description: "A 1x1 PNG (a blob resource).", mimeType: "image/png" },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "image/png", blob: PIXEL_PNG }] }),
  );

  server.registerResource(
    "subscribed",
    SUBSCRIBED_URI,
    { description: "Changes on every touch_resource call.", mimeType: "text/plain" },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: `revision ${state.noteRevision}` }],
    }),
  );

  server.registerResource(
    "item",
    new ResourceTemplate("note://items/{id}", {
      list: undefined,
      complete: { id: (value) => ITEM_IDS.filter((id) => id.startsWith(value)) },
    }),
    { description: "One item by id.", mimeType: "text/plain" },
    async (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: `item ${String(id)}` }],
    }),
  );
}

function registerPrompts(server: McpServer) {
  server.registerPrompt(
    "greet",
    {
      description: "A greeting for someone.",
      argsSchema: z.object({
        name: completable(z.string(), (value) => GREET_NAMES.filter((name) => name.startsWith(value))),
      }),
    },
    ({ name }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello, ${name}!` } }] }),
  );

  server.registerPrompt(
    "greet_asking",
    { description: "A greeting for the user, whose name it asks (form elicitation)." },
    (ctx) => {
      const accepted = acceptedContent(ctx.mcpReq.inputResponses, "name", NAME_SCHEMA);
      if (!accepted) {
        return inputRequired({
          inputRequests: {
            name: inputRequired.elicit({ message: "Who is greeted?", requestedSchema: NAME_SCHEMA }),
          },
        });
      }
      return { messages: [{ role: "user", content: { type: "text", text: `Hello, ${accepted.name}!` } }] };
    },
  );
}

function buildServer(
  state: TSharedState,
  era: TEra,
  instance: TInstanceState = { subscriptions: new Set(), dynamicTools: new Map() },
): McpServer {
  const server = new McpServer(
    { name: state.name, version: "1.0.0" },
    {
      capabilities: { logging: {}, resources: { subscribe: true } },
      cacheHints: {
        "server/discover": { ttlMs: 300_000, cacheScope: "public" },
        "tools/list": { ttlMs: 60_000, cacheScope: "public" },
        "prompts/list": { ttlMs: 10_000, cacheScope: "private" },
      },
      requestState: { verify: state.stateCodec.verify },
    },
  );
  registerTools(server, state, instance);
  registerResources(server, state);
  registerPrompts(server);
  // resources/subscribe exists only on the 2025 era; 2026 clients name URIs in subscriptions/listen.
  if (era === "legacy") {
    server.server.setRequestHandler("resources/subscribe", (request) => {
      instance.subscriptions.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler("resources/unsubscribe", (request) => {
      instance.subscriptions.delete(request.params.uri);
      return {};
    });
  }
  return server;
}

function hasKey(header: string | null, expected: string): boolean {
  if (header === null) return false;
  const given = Buffer.from(header);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function parseJson(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function rpcMethodOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return undefined;
  const method = (message as { method?: unknown }).method;
  return typeof method === "string" ? method : undefined;
}

function recordOf(request: Request, rawBody: string): TModernBackendRequest {
  const headers: Record<string, string> = {};
  const mcpParamHeaders: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
    if (name.startsWith("mcp-param-")) mcpParamHeaders[paramName(name)] = value;
  });
  const body = parseJson(rawBody);
  return {
    method: request.method,
    path: new URL(request.url).pathname,
    headers,
    protocolVersionHeader: request.headers.get("mcp-protocol-version") ?? undefined,
    mcpMethodHeader: request.headers.get("mcp-method") ?? undefined,
    mcpNameHeader: request.headers.get("mcp-name") ?? undefined,
    mcpParamHeaders,
    sessionId: request.headers.get("mcp-session-id") ?? undefined,
    hasAuthorization: request.headers.has("authorization"),
    rawBody,
    body,
    rpcMethod: rpcMethodOf(body),
  };
}

/** Headers arrive lower-cased; the SDK mirrors `x-mcp-header: "Region"` as Mcp-Param-Region. */
function paramName(header: string): string {
  return header
    .slice("mcp-param-".length)
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("-");
}

const rpcError = (status: number, code: number, message: string) =>
  Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });

/** The 2025 sessionful leg of `legacy: "sessions"`, as the SDK's legacy-routing example wires it. */
function createLegacySessions(state: TSharedState) {
  const sessions = new Map<string, TLegacySession>();

  const open = async (request: Request, parsedBody: unknown): Promise<Response> => {
    const instance: TInstanceState = { subscriptions: new Set(), dynamicTools: new Map() };
    const server = buildServer(state, "legacy", instance);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, { ...instance, server, transport });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody });
  };

  return {
    async fetch(request: Request, rawBody: string): Promise<Response> {
      const sessionId = request.headers.get("mcp-session-id");
      if (sessionId !== null) {
        const session = sessions.get(sessionId);
        if (!session) return rpcError(404, -32001, "Session not found");
        return session.transport.handleRequest(request);
      }
      const parsedBody = parseJson(rawBody);
      if (request.method === "POST" && isInitializeRequest(parsedBody)) return open(request, parsedBody);
      return rpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    },
    /** Brings each live session's tool list in line with the shared one; registration sends list_changed. */
    syncTools() {
      for (const session of sessions.values()) {
        for (const [name, tool] of session.dynamicTools) {
          if (state.dynamicTools.has(name)) continue;
          tool.remove();
          session.dynamicTools.delete(name);
        }
        for (const name of state.dynamicTools) {
          if (!session.dynamicTools.has(name))
            session.dynamicTools.set(name, registerDynamicTool(session.server, name));
        }
      }
    },
    resourceUpdated(uri: string) {
      for (const session of sessions.values()) {
        if (session.subscriptions.has(uri))
          session.server.server.sendResourceUpdated({ uri }).catch(() => {});
      }
    },
    async close() {
      const live = [...sessions.values()];
      sessions.clear();
      await Promise.all(live.map((session) => session.server.close()));
    },
  };
}

export async function startModernBackend(options: TModernBackendOptions): Promise<TModernBackend> {
  const name = options.name ?? "modern-backend";
  const apiKeyHeader = (options.apiKeyHeader ?? "x-api-key").toLowerCase();
  const records: TModernBackendRequest[] = [];
  const publisher: TPublisher = { toolsChanged() {}, resourceUpdated() {} };
  const state: TSharedState = {
    name,
    dynamicTools: new Set(),
    noteRevision: 1,
    cancelled: 0,
    publish: publisher,
    stateCodec: createRequestStateCodec({ key: randomBytes(32), ttlSeconds: 600 }),
  };

  const modern = createMcpHandler(({ era }) => buildServer(state, era), {
    legacy: options.legacy === "serve" ? "stateless" : "reject",
  });
  const legacySessions = options.legacy === "sessions" ? createLegacySessions(state) : undefined;
  publisher.toolsChanged = () => {
    modern.notify.toolsChanged();
    legacySessions?.syncTools();
  };
  publisher.resourceUpdated = (uri) => {
    modern.notify.resourceUpdated(uri);
    legacySessions?.resourceUpdated(uri);
  };

  const route = async (request: Request, rawBody: string): Promise<Response> => {
    if (!legacySessions) return modern.fetch(request);
    if (request.method !== "POST" || (await isLegacyRequest(request)))
      return legacySessions.fetch(request, rawBody);
    return modern.fetch(request);
  };

  const handle = async (incoming: Request): Promise<Response> => {
    // Read once for the record; the SDK then reads the same bytes from a rebuilt request.
    const rawBody = incoming.method === "POST" ? await incoming.text() : "";
    const record = recordOf(incoming, rawBody);
    records.push(record);
    if (options.apiKey !== undefined && !hasKey(incoming.headers.get(apiKeyHeader), options.apiKey)) {
      record.status = 401;
      return Response.json({ error: "invalid_api_key" }, { status: 401 });
    }
    const request = new Request(incoming.url, {
      method: incoming.method,
      headers: incoming.headers,
      signal: incoming.signal,
      ...(incoming.method === "POST" ? { body: rawBody } : {}),
    });
    const response = await route(request, rawBody);
    record.status = response.status;
    return response;
  };

  const served = await serveRouteHandlers({
    handlers: { GET: handle, POST: handle, DELETE: handle },
    port: options.port ?? 0,
  });
  const mcpUrl = served.mcpUrl(MCP_PATH_ID);

  return {
    name,
    legacy: options.legacy,
    mcpUrl,
    hostPort: new URL(mcpUrl).host,
    apiKey: options.apiKey,
    apiKeyHeader,
    requests: () => records.map((record) => ({ ...record })),
    clear() {
      records.length = 0;
    },
    cancelledCount: () => state.cancelled,
    async close() {
      await legacySessions?.close();
      await modern.close();
      await served.close();
    },
  };
}
