import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createParser } from "eventsource-parser";
import { decodeJwt } from "jose";
import { type TDemoStats, ZDemoStats } from "../../scripts/demo-backend/demo-stats";
import { flushAuditEvents } from "../audit/write-audit-event";
import { createApiKey } from "../auth/api-keys/create-api-key";
import { getIssuer } from "../auth/resource-urls";
import { ALL_SERVERS_SCOPE } from "../auth/scopes";
import { issueAccessToken } from "../auth/tokens/issue-access-token";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { createServerConnection } from "../servers/create-server-connection";
import { createBackendTokenFixture, type TDemoBackendLike } from "./backend-token-fixtures";
import type { TRecordedRequest, TRecordingBackend } from "./recording-mcp-backend";
import { serveRouteHandlers, type TRouteHandlers, type TServedRouteHandlers } from "./serve-route-handlers";
import { createTestAiClient } from "./tier1-fixtures";

// Fixtures for integration tests of the proxy at /mcp/{instanceId}: Tumiki served on a real port
// (serve-route-handlers.ts) with APP_URL pointing at it, users whose instances bundle real backends
// (the demo backend over OAuth, recording backends with an API key or none), credentials for them,
// and two ways to talk to the proxy: an MCP SDK Client (protocol level) and raw JSON-RPC POSTs (HTTP
// level: status codes, headers, exact error bodies, SSE or JSON).

// ─── Environment ──────────────────────────────────────────────────────────────────────────────────

/** Sets (or, with undefined, removes) variables and resets the env cache; returns the undo. */
export function setTestEnv(vars: Record<string, string | undefined>): () => void {
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetEnvCache();
  };
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  apply(vars);
  return () => apply(previous);
}

/** Lets Tumiki's outbound fetch reach loopback backends (`localhost:<port>` entries). Returns the undo. */
export function allowBackendHosts(hostPorts: string[]): () => void {
  const current = (process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS ?? "").split(",").filter(Boolean);
  return setTestEnv({ OUTBOUND_ALLOWED_PRIVATE_HOSTS: [...new Set([...current, ...hostPorts])].join(",") });
}

/** `host:port` of a URL, as OUTBOUND_ALLOWED_PRIVATE_HOSTS lists it. */
export function hostPortOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}`;
}

export type TTumikiProxy = TServedRouteHandlers;

/**
 * Serves the /mcp route handlers on a real port and makes that server Tumiki's APP_URL, so tokens
 * issued from now on name it as audience and issuer. Call it before issuing tokens; close() also
 * restores APP_URL.
 */
export async function startTumikiProxy({ handlers }: { handlers: TRouteHandlers }): Promise<TTumikiProxy> {
  const served = await serveRouteHandlers({ handlers });
  const restore = setTestEnv({ APP_URL: served.origin });
  return {
    ...served,
    async close() {
      await served.close();
      restore();
    },
  };
}

// ─── Rows ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * The user's connection to the demo backend over OAuth, with real tokens from a completed
 * authorization (backend-token-fixtures.ts): server (authType OAUTH), connection, OAuthClient, OAuthToken.
 */
export async function addDemoOAuthServer({
  userId,
  backend,
  expiresAt,
}: {
  userId: string;
  backend: TDemoBackendLike;
  expiresAt?: Date | null;
}) {
  const fixture = await createBackendTokenFixture({ backend, userId, expiresAt });
  return {
    serverId: fixture.server.id,
    slug: fixture.server.slug,
    name: fixture.server.name,
    connectionId: fixture.connection.id,
    grant: fixture.grant,
  };
}

/**
 * The user's connection to a recording backend, created as adding a server does: authType API_KEY with
 * the key stored (encrypted) on the connection when the backend requires one, else NONE.
 */
export async function addRecordingServer({
  userId,
  backend,
  name,
}: {
  userId: string;
  backend: TRecordingBackend;
  /** The server's display name; its slug derives from it. */
  name: string;
}) {
  const created = await createServerConnection({
    userId,
    name,
    url: backend.mcpUrl,
    authType: backend.apiKey === undefined ? "NONE" : "API_KEY",
    status: "CONNECTED",
    apiKey:
      backend.apiKey === undefined ? undefined : { headerName: backend.apiKeyHeader, value: backend.apiKey },
  });
  return {
    serverId: created.serverId,
    slug: created.slug,
    name: created.name,
    connectionId: created.connectionId,
  };
}

/** An instance of the user bundling these connections (rows written directly, any auth type), in order. */
export async function createProxyInstance({
  userId,
  connectionIds,
}: {
  userId: string;
  connectionIds: string[];
}) {
  const db = getDb();
  const instance = await db.mcpInstance.create({ data: { userId, name: "Proxy test instance" } });
  // One by one, so the rows' order (and createdAt) is the given order: tests pass an order that differs
  // from slug order to see that lists follow slugs.
  for (const userMcpConfigId of connectionIds) {
    await db.mcpInstanceConnection.create({ data: { instanceId: instance.id, userMcpConfigId } });
  }
  return instance;
}

/**
 * An access token (as the token endpoint issues it, to a fresh AI client) and an API key for the
 * instance, both with `scopes`. `clientRowId` is the AiClient row id audit rows name.
 */
export async function issueInstanceCredentials({
  userId,
  instanceId,
  scopes = [ALL_SERVERS_SCOPE],
}: {
  userId: string;
  instanceId: string;
  scopes?: string[];
}) {
  const { client } = await createTestAiClient();
  const { accessToken } = await issueAccessToken({ client, userId, instanceId, scopes });
  const { key: apiKey } = await createApiKey({ userId, instanceId, name: "proxy test", scopes });
  return { accessToken, apiKey, clientRowId: client.id };
}

/** The `mcp.tool_called` rows of an instance, oldest first, after pending audit writes settled. */
export async function findToolCallAuditRows({ instanceId }: { instanceId: string }) {
  await flushAuditEvents();
  return getDb().auditLog.findMany({
    where: { eventType: "mcp.tool_called", instanceId },
    orderBy: { createdAt: "asc" },
  });
}

// ─── Talking to the proxy ─────────────────────────────────────────────────────────────────────────

/**
 * An MCP SDK client connected (initialized) through Tumiki with a Bearer credential (access token or
 * API key). `urlElicitation` declares `capabilities.elicitation.url`, as clients that can open a
 * reconnect URL do.
 */
export async function connectMcpClient({
  url,
  bearer,
  urlElicitation = false,
}: {
  url: string;
  bearer: string;
  urlElicitation?: boolean;
}): Promise<Client> {
  const client = new Client(
    { name: "tumiki-proxy-test", version: "1.0.0" },
    { capabilities: urlElicitation ? { elicitation: { url: {} } } : {} },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${bearer}` } },
  });
  await client.connect(transport);
  return client;
}

export const MCP_ACCEPT = "application/json, text/event-stream";

export type TPostMcpOptions = {
  url: string;
  /** Sent as `Authorization: Bearer …` when given. */
  bearer?: string;
  sessionId?: string;
  /** A JSON-RPC message (or anything, serialized as JSON). */
  message?: unknown;
  /** Sent as is instead of `message`. */
  rawBody?: string;
  /** Added last: override (or with "" blank) accept, content-type, origin, mcp-protocol-version, … */
  headers?: Record<string, string>;
  method?: "POST" | "DELETE" | "GET";
};

/** One raw HTTP request to the MCP endpoint, with the headers a conforming client sends by default. */
export function postMcp(options: TPostMcpOptions): Promise<Response> {
  const method = options.method ?? "POST";
  const headers = new Headers({ accept: MCP_ACCEPT });
  if (method === "POST") headers.set("content-type", "application/json");
  if (options.bearer) headers.set("authorization", `Bearer ${options.bearer}`);
  if (options.sessionId) headers.set("mcp-session-id", options.sessionId);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const body = method !== "POST" ? undefined : (options.rawBody ?? JSON.stringify(options.message ?? null));
  return fetch(options.url, { method, headers, body });
}

export type TJsonRpcMessage = {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
};

/** The text parts of a tool call's result, joined (callTool's result type is a union, hence unknown). */
export function readResultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

/** Every JSON-RPC message of a response: its JSON body, or each `data` of its SSE events, in order. */
export async function readRpcMessages(response: Response): Promise<TJsonRpcMessage[]> {
  const text = await response.text();
  if (text === "") return [];
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    return [JSON.parse(text) as TJsonRpcMessage];
  }
  const messages: TJsonRpcMessage[] = [];
  const parser = createParser({
    onEvent(event) {
      if (event.data !== "") messages.push(JSON.parse(event.data) as TJsonRpcMessage);
    },
  });
  parser.feed(text);
  return messages;
}

/** The response (result or error) to request `id` in a JSON or SSE answer; throws when it has none. */
export async function readRpcResponse(response: Response, id: string | number): Promise<TJsonRpcMessage> {
  const messages = await readRpcMessages(response);
  const answer = messages.find((message) => message.id === id && !message.method);
  if (!answer) throw new Error(`no JSON-RPC response to id ${id} in ${JSON.stringify(messages)}`);
  return answer;
}

export const initializeMessage = ({
  id = 1,
  protocolVersion = "2025-11-25",
  capabilities = {},
}: {
  id?: string | number;
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
} = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion, capabilities, clientInfo: { name: "tumiki-proxy-test", version: "1.0.0" } },
});

/**
 * A session opened by raw requests, as a conforming client does: initialize, then
 * notifications/initialized. Throws with the answer when initialize is refused.
 */
export async function openRawSession({
  url,
  bearer,
  protocolVersion = "2025-11-25",
  capabilities = {},
}: {
  url: string;
  bearer: string;
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
}) {
  const response = await postMcp({
    url,
    bearer,
    message: initializeMessage({ protocolVersion, capabilities }),
  });
  const sessionId = response.headers.get("mcp-session-id");
  if (response.status !== 200 || !sessionId) {
    throw new Error(`initialize answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
  const initialize = await readRpcResponse(response, 1);
  const negotiated = String(initialize.result?.protocolVersion);
  await postMcp({
    url,
    bearer,
    sessionId,
    message: { jsonrpc: "2.0", method: "notifications/initialized" },
    headers: { "mcp-protocol-version": negotiated },
  });
  return { sessionId, protocolVersion: negotiated, result: initialize.result ?? {} };
}

// ─── No token passthrough ─────────────────────────────────────────────────────────────────────────

const JWT_LIKE = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

function issuerOf(jwt: string): unknown {
  try {
    return decodeJwt(jwt).iss;
  } catch {
    return undefined;
  }
}

/**
 * Where recorded backend requests carry a Tumiki credential: one of `secrets` (the client's access
 * token, API key), anything shaped like a Tumiki API key, or any JWT whose `iss` is Tumiki's issuer,
 * in a header or the body. Returns one line per finding; empty means none.
 */
export function findTumikiCredentials({
  requests,
  secrets,
}: {
  requests: TRecordedRequest[];
  secrets: string[];
}): string[] {
  const issuer = getIssuer();
  const findings: string[] = [];
  requests.forEach((request, index) => {
    const places: [string, string][] = Object.entries(request.headers).map(([name, value]) => [
      `header ${name}`,
      Array.isArray(value) ? value.join(", ") : String(value ?? ""),
    ]);
    places.push(["body", request.body]);
    for (const [place, text] of places) {
      const where = `request #${index} (${request.method} ${request.rpcMethod ?? ""}) ${place}`;
      if (secrets.some((secret) => secret !== "" && text.includes(secret)))
        findings.push(`${where}: a secret`);
      if (/tumiki_[A-Za-z0-9_-]{20,}/.test(text)) findings.push(`${where}: a Tumiki API key`);
      for (const jwt of text.match(JWT_LIKE) ?? []) {
        if (issuerOf(jwt) === issuer) findings.push(`${where}: a JWT issued by Tumiki`);
      }
    }
  });
  return findings;
}

/**
 * The demo backend's stats once its `tool` shows one more aborted call than `abortedBefore` (polled,
 * at most 5 s: the abort reaches it after the client's request has already ended).
 */
export async function waitForDemoAbort({
  demoOrigin,
  tool,
  abortedBefore,
}: {
  demoOrigin: string;
  tool: string;
  abortedBefore: number;
}): Promise<TDemoStats> {
  const read = async () => ZDemoStats.parse(await (await fetch(`${demoOrigin}/__demo/stats`)).json());
  const deadline = Date.now() + 5_000;
  let stats = await read();
  while ((stats.mcp.toolCalls[tool]?.aborted ?? 0) === abortedBefore && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stats = await read();
  }
  return stats;
}
