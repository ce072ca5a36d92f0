import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ZDemoStats } from "@/scripts/demo-backend/demo-stats";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { getLogger } from "@/server/logger";
import {
  addDemoOAuthServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  MCP_ACCEPT,
  openRawSession,
  postMcp,
  setTestEnv,
  startTumikiProxy,
  type TTumikiProxy,
  waitForDemoAbort,
} from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// A client that goes away is routine (a load generator closing its connections, an agent cancelled by
// its user): it must not produce error or warning lines, which are for what an operator has to look at.
// Each case drives a real disconnect through the proxy and reads what the logger was asked to write.

const account = `disconnect-${randomUUID()}`;
let proxy: TTumikiProxy;
let backend: TDemoBackend;
let target: { url: string; accessToken: string };
const undo: (() => void)[] = [];

type TLogged = { level: "error" | "warn" | "debug"; args: unknown[] };
let logged: TLogged[] = [];

function watchLogs() {
  const logger = getLogger();
  for (const level of ["error", "warn", "debug"] as const) {
    const spy = vi.spyOn(logger, level);
    spy.mockImplementation(((...args: unknown[]) => {
      logged.push({ level, args });
    }) as never);
  }
}

const loudLines = () => logged.filter((line) => line.level !== "debug");

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  backend = await startDemoBackend({ port: 0, autoApproveAccount: account });
  undo.push(allowBackendHosts([new URL(backend.origin).host]));
  const userId = (await createTestUser()).id;
  const server = await addDemoOAuthServer({ userId, backend });
  const instance = await createProxyInstance({ userId, connectionIds: [server.connectionId] });
  const { accessToken } = await issueInstanceCredentials({ userId, instanceId: instance.id });
  target = { url: proxy.mcpUrl(instance.id), accessToken };
  watchLogs();
});

afterEach(() => {
  logged = [];
});

afterAll(async () => {
  vi.restoreAllMocks();
  await proxy?.close();
  await backend?.close();
  for (const restore of undo.reverse()) restore();
});

/** Waits until the logger has been asked for a line matching `pattern` (at most `ms`). */
async function waitForLine(pattern: RegExp, ms = 5_000) {
  for (let waited = 0; waited < ms; waited += 50) {
    if (logged.some((line) => pattern.test(JSON.stringify(line.args)))) return;
    await sleep(50);
  }
}

const countAborted = async (): Promise<number> =>
  ZDemoStats.parse(await (await fetch(`${backend.origin}/__demo/stats`)).json()).mcp.toolCalls.count_slowly
    ?.aborted ?? 0;

/** A call that runs for six seconds and streams progress every 300 ms. */
const countSlowly = (id: string | number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "count_slowly", arguments: { to: 20, delayMs: 300 }, _meta: { progressToken: "p" } },
});

const modernHeaders = (method: string, name?: string) => ({
  authorization: `Bearer ${target.accessToken}`,
  accept: MCP_ACCEPT,
  "content-type": "application/json",
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": method,
  ...(name ? { "mcp-name": name } : {}),
});

const withModernMeta = (message: { params: Record<string, unknown> } & Record<string, unknown>) => ({
  ...message,
  params: {
    ...message.params,
    _meta: {
      ...(message.params._meta as Record<string, unknown> | undefined),
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": { name: "disconnect-test", version: "1.0.0" },
    },
  },
});

describe("a client that disconnects", () => {
  it("while sending its request body is logged at debug, not as an error", async () => {
    const url = new URL(target.url);
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          authorization: `Bearer ${target.accessToken}`,
          accept: MCP_ACCEPT,
          "content-type": "application/json",
          "content-length": "5000",
        },
      });
      req.on("error", () => resolve());
      req.on("close", () => resolve());
      req.write('{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{');
      // The body never completes: the connection is cut once the server is reading it.
      setTimeout(() => req.destroy(), 200);
    });
    await waitForLine(/client went away/);
    expect(loudLines()).toEqual([]);
    expect(logged.some((line) => line.level === "debug")).toBe(true);
  });

  it("from a 2025 streamed tool call it does not resume logs nothing above debug; the call is cancelled", async () => {
    // The call waits this long for the client to resume the stream before it is cancelled.
    undo.push(setTestEnv({ MCP_STREAM_RESUME_GRACE_SECONDS: "1" }));
    const { sessionId, protocolVersion } = await openRawSession({
      url: target.url,
      bearer: target.accessToken,
    });
    const abortedBefore = await countAborted();
    const response = await postMcp({
      url: target.url,
      bearer: target.accessToken,
      sessionId,
      headers: { "mcp-protocol-version": protocolVersion },
      message: countSlowly(2),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    const stats = await waitForDemoAbort({ demoOrigin: backend.origin, tool: "count_slowly", abortedBefore });
    expect(stats.mcp.toolCalls.count_slowly?.aborted).toBe(abortedBefore + 1);
    expect(loudLines()).toEqual([]);
  });

  it("from a 2026-07-28 streamed tool call logs nothing above debug; the call is cancelled", async () => {
    const abortedBefore = await countAborted();
    const client = new AbortController();
    const response = await fetch(target.url, {
      method: "POST",
      signal: client.signal,
      headers: modernHeaders("tools/call", "count_slowly"),
      body: JSON.stringify(withModernMeta(countSlowly("m1"))),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    await response.body?.getReader().read();
    client.abort();
    const stats = await waitForDemoAbort({ demoOrigin: backend.origin, tool: "count_slowly", abortedBefore });
    expect(stats.mcp.toolCalls.count_slowly?.aborted).toBe(abortedBefore + 1);
    expect(loudLines()).toEqual([]);
  });

  it("from a 2026-07-28 subscriptions/listen stream logs nothing above debug", async () => {
    const client = new AbortController();
    const response = await fetch(target.url, {
      method: "POST",
      signal: client.signal,
      headers: modernHeaders("subscriptions/listen"),
      body: JSON.stringify(
        withModernMeta({
          jsonrpc: "2.0",
          id: "listen-1",
          method: "subscriptions/listen",
          params: { notifications: { toolsListChanged: true } },
        }),
      ),
    });
    expect(response.status).toBe(200);
    await response.body?.getReader().read();
    client.abort();
    // The stream's end is noticed asynchronously: wait for its slot to be given back, then look.
    await waitForLine(/subscription stream/, 1_000);
    expect(loudLines()).toEqual([]);
  });
});
