import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type EventId,
  type EventStore,
  StreamableHTTPServerTransport,
  type StreamId,
} from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  ElicitResultSchema,
  isInitializeRequest,
  type JSONRPCMessage,
  RootsListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

// A small real MCP server (MCP SDK, Streamable HTTP, stateful sessions) that a test puts behind
// Tumiki's proxy. It records every HTTP request that reaches it, headers and body, so a test can prove
// what Tumiki sent (its own API key; never the client's Tumiki token, API key or any Tumiki JWT), and
// it can be told to fail (500), hang, drop connections, or forget its sessions (404 to old session
// ids, as a restarted server does), so the proxy's failure and re-open paths can be driven.
//
// Offers: tools `echo` {text} and `slow` {ms} (progress each 100 ms, stops when cancelled), resource
// `recording://info`, resource template `recording://items/{id}`, prompt `greet` {name}.
//
// Opt-in, for the proxy's stream tests (none changes what the default backend offers or sends):
// - `resumableStreams`: sessions keep their SSE events (an in-memory event store, as the SDK's
//   resumability wants) and send a priming event with `retry`; tool `pause_stream` {ms} sends progress
//   1, closes its POST stream with the SDK's own `closeSSEStream` (MCP 2025-11-25: the client is to
//   resume with GET and Last-Event-ID after `retry`), waits `ms`, sends progress 2 and answers.
// - `askRootsOnListChanged`: `notifications/roots/list_changed` makes the server ask the client for its
//   roots (roots/list), which the SDK sends on the session's GET stream (it belongs to no request); the
//   answers land in `rootsAnswers`.
// - `inputTools`: tool `ask_name` asks the client for a name (elicitation/create, form) on the call's own
//   stream, mid-call, and answers "Hello, <name>" (or "No name (<action>)").
// - `delayToolCallHeaders(ms)`: a tools/call POST waits `ms` before the server sees it, so its response
//   headers come that late (a caller that goes away meanwhile leaves the call unstarted).

export type TRecordingBackendBehavior =
  /** Serve MCP normally. */
  | "normal"
  /** Answer every request with HTTP 500. */
  | "fail"
  /** Answer tools/call with HTTP 500, and everything else normally (a tool that crashes on its input). */
  | "fail_calls"
  /** Never answer (the connection stays open until the backend closes). */
  | "hang"
  /** Destroy the connection without an answer. */
  | "drop";

export type TRecordedRequest = {
  method: string;
  headers: IncomingHttpHeaders;
  /** The raw body (empty for GET and DELETE). */
  body: string;
  /** The JSON-RPC method of the body, when it is one message with a method. */
  rpcMethod?: string;
  /** The HTTP status answered; undefined while unanswered (or when dropped). */
  status?: number;
};

export type TRecordedToolCall = { tool: string; arguments: Record<string, unknown>; sessionId?: string };

export type TRecordingBackend = {
  /** The server's name: its serverInfo.name. */
  name: string;
  /** e.g. http://localhost:41234/mcp */
  mcpUrl: string;
  /** `host:port`, as OUTBOUND_ALLOWED_PRIVATE_HOSTS lists it. */
  hostPort: string;
  /** The key every request must carry in `apiKeyHeader`; undefined when no key is required. */
  apiKey?: string;
  apiKeyHeader: string;
  /** Every HTTP request that reached the server, in order of arrival. */
  requests: TRecordedRequest[];
  /** Tool calls the MCP server ran (after authentication and session checks). */
  toolCalls: TRecordedToolCall[];
  /** With `askRootsOnListChanged`: each roots/list answer (or `{ error }`), in order of arrival. */
  rootsAnswers: unknown[];
  setBehavior(behavior: TRecordingBackendBehavior): void;
  /** tools/call POSTs wait this long before the server handles them (and answers headers); 0: off. */
  delayToolCallHeaders(ms: number): void;
  /** Ends every session: old session ids get 404 from now on (a backend restart). */
  forgetSessions(): Promise<void>;
  close(): Promise<void>;
};

export type TRecordingBackendOptions = {
  name?: string;
  /** Require this key in `apiKeyHeader` (401 otherwise). */
  apiKey?: string;
  /** Default "x-api-key". */
  apiKeyHeader?: string;
  /** 0 (ephemeral) or a port in 4100-4999. */
  port?: number;
  /** Resumable SSE streams (event store, priming event with this `retry`) and the `pause_stream` tool. */
  resumableStreams?: { retryMs: number };
  /** Answer notifications/roots/list_changed with roots/list to the client (on the GET stream). */
  askRootsOnListChanged?: boolean;
  /** The `ask_name` tool: an elicitation/create to the client in the middle of the call. */
  inputTools?: boolean;
};

type TServerExtras = { pauseStreamTool: boolean; rootsAnswers: unknown[] | null; inputTools?: boolean };

type TSession = { transport: StreamableHTTPServerTransport; server: McpServer };

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const PROGRESS_STEP_MS = 100;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const rpcError = (res: ServerResponse, status: number, code: number, message: string) =>
  sendJson(res, status, { jsonrpc: "2.0", id: null, error: { code, message } });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function rpcMethodOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return undefined;
  const method = (message as { method?: unknown }).method;
  return typeof method === "string" ? method : undefined;
}

function hasKey(header: string | string[] | undefined, expected: string): boolean {
  if (typeof header !== "string") return false;
  const given = Buffer.from(header);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Every event of every stream of the backend, replayable after any of its ids (SDK resumability). */
function createMemoryEventStore(): EventStore {
  const events: { id: EventId; streamId: StreamId; message: JSONRPCMessage }[] = [];
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}::${String(events.length + 1).padStart(8, "0")}`;
      events.push({ id, streamId, message });
      return id;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const at = events.findIndex((event) => event.id === lastEventId);
      if (at < 0) throw new Error(`unknown event id ${lastEventId}`);
      const streamId = events[at]?.streamId as StreamId;
      for (const event of events.slice(at + 1)) {
        // The priming event stores an empty message: nothing to replay.
        if (event.streamId === streamId && Object.keys(event.message).length > 0) {
          await send(event.id, event.message);
        }
      }
      return streamId;
    },
  };
}

function registerStreamExtras(server: McpServer, toolCalls: TRecordedToolCall[], extras: TServerExtras) {
  if (extras.pauseStreamTool) {
    server.registerTool(
      "pause_stream",
      {
        description:
          "Sends progress 1, closes its SSE stream (to be resumed with Last-Event-ID), waits `ms`, sends progress 2, answers.",
        inputSchema: { ms: z.number().int().min(0).max(10_000) },
      },
      async ({ ms }, extra) => {
        toolCalls.push({ tool: "pause_stream", arguments: { ms }, sessionId: extra.sessionId });
        const progressToken = extra._meta?.progressToken;
        const progress = async (step: number) => {
          if (progressToken === undefined) return;
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: step, total: 2 },
          });
        };
        await progress(1);
        extra.closeSSEStream?.();
        await sleep(ms, undefined, { signal: extra.signal });
        await progress(2);
        return { content: [{ type: "text", text: `resumed after ${ms} ms` }] };
      },
    );
  }
  if (extras.inputTools) {
    server.registerTool(
      "ask_name",
      { description: "Asks the client for a name (form elicitation) mid-call and greets it." },
      async (extra) => {
        toolCalls.push({ tool: "ask_name", arguments: {}, sessionId: extra.sessionId });
        const answer = await extra.sendRequest(
          {
            method: "elicitation/create",
            params: {
              message: "What is your name?",
              requestedSchema: {
                type: "object",
                properties: { name: { type: "string" } },
                required: ["name"],
              },
            },
          },
          ElicitResultSchema,
        );
        const name = answer.action === "accept" ? answer.content?.name : undefined;
        return {
          content: [
            {
              type: "text",
              text: typeof name === "string" ? `Hello, ${name}` : `No name (${answer.action})`,
            },
          ],
        };
      },
    );
  }
  const rootsAnswers = extras.rootsAnswers;
  if (rootsAnswers) {
    server.server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
      try {
        rootsAnswers.push(await server.server.listRoots());
      } catch (error) {
        rootsAnswers.push({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  }
}

function createRecordingMcpServer(
  name: string,
  toolCalls: TRecordedToolCall[],
  extras: TServerExtras = { pauseStreamTool: false, rootsAnswers: null },
): McpServer {
  const server = new McpServer({ name, version: "1.0.0" });
  registerStreamExtras(server, toolCalls, extras);

  server.registerTool(
    "echo",
    {
      description: "Returns its text unchanged.",
      inputSchema: { text: z.string() },
    },
    async ({ text }, extra) => {
      toolCalls.push({ tool: "echo", arguments: { text }, sessionId: extra.sessionId });
      return { content: [{ type: "text", text }] };
    },
  );

  server.registerTool(
    "slow",
    {
      description: "Waits `ms` milliseconds, reporting progress every 100 ms, then answers.",
      inputSchema: { ms: z.number().int().min(0).max(60_000) },
    },
    async ({ ms }, extra) => {
      toolCalls.push({ tool: "slow", arguments: { ms }, sessionId: extra.sessionId });
      const progressToken = extra._meta?.progressToken;
      for (let waited = 0; waited < ms; waited += PROGRESS_STEP_MS) {
        // Rejects when the request is cancelled or the session closes: the call ends there.
        await sleep(Math.min(PROGRESS_STEP_MS, ms - waited), undefined, { signal: extra.signal });
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: Math.min(waited + PROGRESS_STEP_MS, ms), total: ms },
          });
        }
      }
      return { content: [{ type: "text", text: `waited ${ms} ms` }] };
    },
  );

  server.registerResource(
    "info",
    "recording://info",
    { description: "What this server is.", mimeType: "text/plain" },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: `${name} info` }] }),
  );

  server.registerResource(
    "item",
    new ResourceTemplate("recording://items/{id}", { list: undefined }),
    { description: "One item by id.", mimeType: "text/plain" },
    async (uri, { id }) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: `item ${id}` }] }),
  );

  server.registerPrompt(
    "greet",
    { description: "A greeting for someone.", argsSchema: { name: z.string() } },
    ({ name: who }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Hello, ${who}!` } }],
    }),
  );

  return server;
}

export async function startRecordingMcpBackend(
  options: TRecordingBackendOptions = {},
): Promise<TRecordingBackend> {
  const name = options.name ?? "recording-backend";
  const apiKeyHeader = (options.apiKeyHeader ?? "x-api-key").toLowerCase();
  const requests: TRecordedRequest[] = [];
  const toolCalls: TRecordedToolCall[] = [];
  const sessions = new Map<string, TSession>();
  let behavior: TRecordingBackendBehavior = "normal";
  const rootsAnswers: unknown[] = [];
  let toolCallHeadersDelayMs = 0;
  const eventStore = options.resumableStreams ? createMemoryEventStore() : undefined;

  const openSession = async (req: IncomingMessage, res: ServerResponse, message: unknown) => {
    const server = createRecordingMcpServer(name, toolCalls, {
      pauseStreamTool: options.resumableStreams !== undefined,
      rootsAnswers: options.askRootsOnListChanged ? rootsAnswers : null,
      inputTools: options.inputTools,
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      ...(eventStore ? { eventStore, retryInterval: options.resumableStreams?.retryMs } : {}),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, message);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const record: TRecordedRequest = { method: req.method ?? "GET", headers: { ...req.headers }, body: "" };
    requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    record.body = await readBody(req);
    const message = parseJson(record.body);
    record.rpcMethod = rpcMethodOf(message);

    if (behavior === "fail" || (behavior === "fail_calls" && record.rpcMethod === "tools/call")) {
      rpcError(res, 500, -32603, "Internal error (the test told this backend to fail)");
      return;
    }
    if (behavior === "hang") return;
    if (behavior === "drop") {
      req.socket.destroy();
      return;
    }
    if (new URL(req.url ?? "/", "http://backend").pathname !== "/mcp") {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    if (options.apiKey !== undefined && !hasKey(req.headers[apiKeyHeader], options.apiKey)) {
      sendJson(res, 401, { error: "invalid_api_key" });
      return;
    }

    if (toolCallHeadersDelayMs > 0 && req.method === "POST" && record.rpcMethod === "tools/call") {
      let gone = false;
      res.once("close", () => {
        gone = true;
      });
      await sleep(toolCallHeadersDelayMs);
      if (gone) return;
    }

    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const session = sessions.get(sessionId);
      if (!session) {
        rpcError(res, 404, -32001, "Session not found");
        return;
      }
      await session.transport.handleRequest(req, res, message);
      return;
    }
    if (req.method !== "POST" || !isInitializeRequest(message)) {
      rpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    await openSession(req, res, message);
  };

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) rpcError(res, 500, -32603, error instanceof Error ? error.message : "error");
      else res.end();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? 0, "localhost", () => {
      httpServer.off("error", reject);
      resolve((httpServer.address() as AddressInfo).port);
    });
  });

  const forgetSessions = async () => {
    const open = [...sessions.values()];
    sessions.clear();
    await Promise.all(open.map((session) => session.server.close()));
  };

  return {
    name,
    mcpUrl: `http://localhost:${port}/mcp`,
    hostPort: `localhost:${port}`,
    apiKey: options.apiKey,
    apiKeyHeader,
    requests,
    toolCalls,
    rootsAnswers,
    setBehavior(next) {
      behavior = next;
    },
    delayToolCallHeaders(ms) {
      toolCallHeadersDelayMs = ms;
    },
    forgetSessions,
    async close() {
      await forgetSessions();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
}
