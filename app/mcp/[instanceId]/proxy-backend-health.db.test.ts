import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readBackendHealth } from "@/server/backend-health/read-backend-health";
import {
  addRecordingServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  openRawSession,
  postMcp,
  readResultText,
  readRpcResponse,
  setTestEnv,
  startTumikiProxy,
  type TJsonRpcMessage,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { openLegacy, postModern } from "@/server/testing/raw-mcp-requests";
import { startRecordingMcpBackend, type TRecordingBackend } from "@/server/testing/recording-mcp-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Backend health and circuit breaking through /mcp/{instanceId}, with real backends over HTTP and the
// real Redis: a backend that is stopped goes down after three failed requests; while down, its calls
// answer at once with "down" (the backend's timeout is two minutes and the restarted backend hangs, so
// a call that reached it would outlast the test) and every aggregated answer names it; once it is
// restarted on the same port and its retry is due, the probe finds it and calls work again.

const RETRY_SECONDS = 4;
const UNAVAILABLE = "tumiki/unavailableServers";

let proxy: TTumikiProxy;
let steady: TRecordingBackend;
let fragile: TRecordingBackend;
let gone: TRecordingBackend;
let crashy: TRecordingBackend;
let userId: string;
type TServer = { serverId: string; slug: string; name: string; connectionId: string };
let steadyServer: TServer;
let fragileServer: TServer;
let goneServer: TServer;
let crashyServer: TServer;
/** steady + fragile */
let recovering: { url: string; accessToken: string };
/** steady + gone (stopped for good) */
let broken: { url: string; accessToken: string };
/** crashy alone */
let crashing: { url: string; accessToken: string };
const undo: (() => void)[] = [];

async function instanceOf(servers: TServer[]) {
  const instance = await createProxyInstance({ userId, connectionIds: servers.map((s) => s.connectionId) });
  const credentials = await issueInstanceCredentials({ userId, instanceId: instance.id });
  return { url: proxy.mcpUrl(instance.id), accessToken: credentials.accessToken };
}

const healthOf = async (server: TServer) =>
  (await readBackendHealth({ mcpServerIds: [server.serverId] }))[server.serverId];

const errorMetaOf = (result: unknown) =>
  (result as { _meta?: Record<string, { reason?: string; server?: unknown }> })._meta?.["tumiki/error"];

const leftOutEntry = (server: TServer, reason: string) => ({
  id: server.serverId,
  slug: server.slug,
  name: server.name,
  reason,
});

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  steady = await startRecordingMcpBackend({ name: "steady" });
  fragile = await startRecordingMcpBackend({ name: "fragile" });
  gone = await startRecordingMcpBackend({ name: "gone" });
  crashy = await startRecordingMcpBackend({ name: "crashy" });
  undo.push(
    allowBackendHosts([steady.hostPort, fragile.hostPort, gone.hostPort, crashy.hostPort]),
    setTestEnv({
      MCP_BACKEND_TIMEOUT_MS: "120000",
      BACKEND_DOWN_AFTER_FAILURES: "3",
      BACKEND_RETRY_AFTER_SECONDS: String(RETRY_SECONDS),
    }),
  );
  userId = (await createTestUser()).id;
  steadyServer = await addRecordingServer({ userId, backend: steady, name: "Steady Server" });
  fragileServer = await addRecordingServer({ userId, backend: fragile, name: "Fragile Server" });
  goneServer = await addRecordingServer({ userId, backend: gone, name: "Gone Server" });
  recovering = await instanceOf([steadyServer, fragileServer]);
  broken = await instanceOf([steadyServer, goneServer]);
  crashyServer = await addRecordingServer({ userId, backend: crashy, name: "Crashy Server" });
  crashing = await instanceOf([crashyServer]);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.allSettled([steady?.close(), fragile?.close(), gone?.close(), crashy?.close()]);
  for (const restore of undo.reverse()) restore();
});

describe("a backend that is stopped and restarted", () => {
  it("goes down after three failures, fails fast while down, and is healthy again once it answers", async () => {
    // Raw requests in a 2025 session: no standalone stream whose backend feeds would add traffic.
    const session = await openLegacy({ url: recovering.url, bearer: recovering.accessToken });
    let nextId = 100;
    const send = async (method: string, params: Record<string, unknown>) => {
      const id = nextId++;
      const response = await session.post({ jsonrpc: "2.0", id, method, params });
      expect(response.status).toBe(200);
      return readRpcResponse(response, id);
    };
    const echo = async () =>
      (await send("tools/call", { name: `${fragileServer.slug}__echo`, arguments: { text: "hi" } })).result ??
      {};
    const toolNames = async () =>
      ((await send("tools/list", {})).result?.tools as { name: string }[]).map((tool) => tool.name);

    expect(readResultText(await echo())).toBe("hi");
    expect(await healthOf(fragileServer)).toMatchObject({ state: "healthy" });

    const port = Number(new URL(fragile.mcpUrl).port);
    await fragile.close();
    for (const expected of ["degraded", "degraded", "down"]) {
      const failed = await echo();
      expect(failed.isError).toBe(true);
      expect(errorMetaOf(failed)?.reason).toBe("unreachable");
      expect((await healthOf(fragileServer))?.state).toBe(expected);
    }
    expect(await healthOf(fragileServer)).toMatchObject({
      state: "down",
      lastError: "Could not be reached",
      lastErrorCode: "unreachable",
    });

    // Back on the same port, but hanging: a request that reached it would wait two minutes.
    fragile = await startRecordingMcpBackend({ name: "fragile", port });
    fragile.setBehavior("hang");
    const skipped = await echo();
    expect(skipped.isError).toBe(true);
    expect(errorMetaOf(skipped)).toEqual({
      error: "backend_unavailable",
      reason: "down",
      server: { id: fragileServer.serverId, slug: fragileServer.slug, name: fragileServer.name },
    });
    expect(readResultText(skipped)).toContain("Fragile Server is unavailable");
    expect(await toolNames()).toEqual([`${steadyServer.slug}__echo`, `${steadyServer.slug}__slow`]);
    // Only a probe (a ping, once the retry is due) may have reached it, never a call or a list.
    expect(fragile.requests.filter((request) => request.rpcMethod !== "ping")).toEqual([]);

    fragile.setBehavior("normal");
    await vi.waitFor(async () => expect(readResultText(await echo())).toBe("hi"), {
      timeout: (RETRY_SECONDS + 10) * 1000,
      interval: 250,
    });
    expect(fragile.requests.some((request) => request.rpcMethod === "ping")).toBe(true);
    expect(fragile.toolCalls.map((call) => call.tool)).toEqual(["echo"]);
    expect(await healthOf(fragileServer)).toMatchObject({ state: "healthy", lastErrorCode: "unreachable" });
    expect(await toolNames()).toContain(`${fragileServer.slug}__echo`);
  }, 60_000);
});

describe("a server that is down", () => {
  let session: Awaited<ReturnType<typeof openRawSession>>;
  const inSession = async (message: Record<string, unknown>): Promise<TJsonRpcMessage> => {
    const response = await postMcp({
      url: broken.url,
      bearer: broken.accessToken,
      sessionId: session.sessionId,
      message,
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
    expect(response.status).toBe(200);
    return readRpcResponse(response, message.id as number);
  };

  beforeAll(async () => {
    await gone.close();
    session = await openRawSession({ url: broken.url, bearer: broken.accessToken });
    // initialize counted one failure; two calls make three.
    for (const id of [1001, 1002]) {
      const answer = await inSession({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: `${goneServer.slug}__echo`, arguments: { text: "x" } },
      });
      expect(errorMetaOf(answer.result)?.reason).toBe("unreachable");
    }
    expect((await healthOf(goneServer))?.state).toBe("down");
  });

  it("is named in a 2025 client's initialize and lists, which still list the other server", async () => {
    const fresh = await openRawSession({ url: broken.url, bearer: broken.accessToken });
    expect(fresh.result._meta).toEqual({ [UNAVAILABLE]: [leftOutEntry(goneServer, "down")] });
    expect(fresh.result.instructions).toContain("Gone Server (down)");

    const listed = await inSession({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
    expect((listed.result?.tools as { name: string }[]).map((tool) => tool.name)).toEqual([
      `${steadyServer.slug}__echo`,
      `${steadyServer.slug}__slow`,
    ]);
    expect(listed.result?._meta).toEqual({ [UNAVAILABLE]: [leftOutEntry(goneServer, "down")] });

    const prompts = await inSession({ jsonrpc: "2.0", id: 3, method: "prompts/list", params: {} });
    expect(prompts.result?._meta).toEqual({ [UNAVAILABLE]: [leftOutEntry(goneServer, "down")] });
  });

  it("is named in a 2026-07-28 client's server/discover and lists, and its call answers down at once", async () => {
    const target = { url: broken.url, bearer: broken.accessToken };
    const discover = await readRpcResponse(
      await postModern(target, { id: 10, method: "server/discover" }),
      10,
    );
    expect(discover.result?._meta).toMatchObject({ [UNAVAILABLE]: [leftOutEntry(goneServer, "down")] });
    expect(discover.result?.instructions).toContain("Gone Server (down)");

    const listed = await readRpcResponse(await postModern(target, { id: 11, method: "tools/list" }), 11);
    expect(listed.result?._meta).toMatchObject({ [UNAVAILABLE]: [leftOutEntry(goneServer, "down")] });
    // A list missing a server must not be cached as if it were whole.
    expect(listed.result?.ttlMs).toBe(0);

    const called = await readRpcResponse(
      await postModern(target, {
        id: 12,
        method: "tools/call",
        params: { name: `${goneServer.slug}__echo`, arguments: { text: "x" } },
      }),
      12,
    );
    expect(called.result?.isError).toBe(true);
    expect(errorMetaOf(called.result)?.reason).toBe("down");
  });

  it("answers a request routed to it with a JSON-RPC error naming it", async () => {
    const answer = await inSession({
      jsonrpc: "2.0",
      id: 20,
      method: "prompts/get",
      params: { name: `${goneServer.slug}__greet`, arguments: { name: "Ada" } },
    });
    expect(answer.error?.message).toContain("Gone Server is unavailable");
    expect(answer.error?.data).toMatchObject({ error: "backend_unavailable", reason: "down" });
  });

  it("leaves nothing out when every server answers", async () => {
    const alone = await instanceOf([steadyServer]);
    const fresh = await openRawSession({ url: alone.url, bearer: alone.accessToken });
    expect(fresh.result._meta).toBeUndefined();
    expect(String(fresh.result.instructions)).not.toContain("Unavailable");
  });
});

describe("a server whose tool fails on a client's input", () => {
  it("stays up however often a tool call answers 5xx, and goes down when its own lists do", async () => {
    // Health is shared by every user of a server: one user's arguments must not take it down for all.
    const session = await openLegacy({ url: crashing.url, bearer: crashing.accessToken });
    let nextId = 500;
    const send = async (method: string, params: Record<string, unknown>) => {
      const id = nextId++;
      const response = await session.post({ jsonrpc: "2.0", id, method, params });
      expect(response.status).toBe(200);
      return readRpcResponse(response, id);
    };
    crashy.setBehavior("fail_calls");
    for (let i = 0; i < 5; i++) {
      // The instance bundles crashy alone: its tools keep their own names.
      const answer = await send("tools/call", {
        name: "echo",
        arguments: { text: "x" },
      });
      expect(answer.result?.isError, JSON.stringify(answer)).toBe(true);
    }
    expect(crashy.requests.filter((request) => request.rpcMethod === "tools/call")).toHaveLength(5);
    expect((await healthOf(crashyServer))?.state).not.toMatch(/down|degraded/);

    crashy.setBehavior("fail");
    for (let i = 0; i < 3; i++) await send("tools/list", {});
    expect(await healthOf(crashyServer)).toMatchObject({ state: "down", lastErrorCode: "http_500" });
  }, 60_000);
});
