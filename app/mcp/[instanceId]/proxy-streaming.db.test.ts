import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TDemoStats, ZDemoStats } from "@/scripts/demo-backend/demo-stats";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import {
  addDemoOAuthServer,
  allowBackendHosts,
  connectMcpClient,
  createProxyInstance,
  hostPortOf,
  issueInstanceCredentials,
  MCP_ACCEPT,
  openRawSession,
  postMcp,
  setTestEnv,
  startTumikiProxy,
  type TJsonRpcMessage,
  type TTumikiProxy,
  waitForDemoAbort,
} from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Streaming through the proxy, against the demo backend as an OAuth-protected server (real tokens from
// a completed authorization): count_slowly's progress reaches the client event by event as the backend
// sends it, a client that goes away mid-call and does not resume the stream stops the call at the
// backend once the resume grace has passed (its stats, read over HTTP, count the call aborted; the
// grace is one second here), and two users calling at once each see only their own progress and results,
// even when their request ids and progress tokens are the same.

let demo: TDemoBackend;
let proxy: TTumikiProxy;
let restoreHosts: () => void;
let restoreGrace: () => void;

type TUserAtProxy = { url: string; bearer: string };
let alice: TUserAtProxy;
let bob: TUserAtProxy;

async function connectUserToDemo(): Promise<TUserAtProxy> {
  const user = await createTestUser();
  const server = await addDemoOAuthServer({ userId: user.id, backend: demo });
  const instance = await createProxyInstance({ userId: user.id, connectionIds: [server.connectionId] });
  const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
  return { url: proxy.mcpUrl(instance.id), bearer: accessToken };
}

beforeAll(async () => {
  demo = await startDemoBackend({ port: 0, autoApproveAccount: "streaming-tester" });
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  restoreHosts = allowBackendHosts([hostPortOf(demo.mcpUrl)]);
  restoreGrace = setTestEnv({ MCP_STREAM_RESUME_GRACE_SECONDS: "1" });
  alice = await connectUserToDemo();
  bob = await connectUserToDemo();
});

afterAll(async () => {
  await proxy?.close();
  restoreHosts?.();
  restoreGrace?.();
  await demo?.close();
});

type TTimedMessage = { at: number; message: TJsonRpcMessage };

/**
 * POSTs a count_slowly call in an open session and reads the answer as it arrives, noting when each
 * JSON-RPC message came (ms after the request was sent). `onMessage` may abort `signal` to disconnect.
 */
async function streamCountSlowly(options: {
  user: TUserAtProxy;
  session: { sessionId: string; protocolVersion: string };
  id: number | string;
  progressToken: string | number;
  to: number;
  delayMs: number;
  signal?: AbortSignal;
  onMessage?: (message: TJsonRpcMessage) => void;
}): Promise<{ response: Response; messages: TTimedMessage[] }> {
  const started = Date.now();
  const response = await fetch(options.user.url, {
    method: "POST",
    signal: options.signal,
    headers: {
      accept: MCP_ACCEPT,
      "content-type": "application/json",
      authorization: `Bearer ${options.user.bearer}`,
      "mcp-session-id": options.session.sessionId,
      "mcp-protocol-version": options.session.protocolVersion,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: options.id,
      method: "tools/call",
      params: {
        name: "count_slowly",
        arguments: { to: options.to, delayMs: options.delayMs },
        _meta: { progressToken: options.progressToken },
      },
    }),
  });
  const messages: TTimedMessage[] = [];
  const take = (message: TJsonRpcMessage) => {
    messages.push({ at: Date.now() - started, message });
    options.onMessage?.(message);
  };
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    take((await response.json()) as TJsonRpcMessage);
    return { response, messages };
  }
  const parser = createParser({
    onEvent(event) {
      if (event.data !== "") take(JSON.parse(event.data) as TJsonRpcMessage);
    },
  });
  const decoder = new TextDecoder();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  }
  return { response, messages };
}

const progressOf = (messages: TTimedMessage[]) =>
  messages.filter(({ message }) => message.method === "notifications/progress");

const resultTextOf = (message: TJsonRpcMessage | undefined) =>
  ((message?.result?.content as { text?: string }[] | undefined) ?? [])[0]?.text;

async function fetchDemoStats(): Promise<TDemoStats> {
  return ZDemoStats.parse(await (await fetch(`${demo.origin}/__demo/stats`)).json());
}

describe("progress of count_slowly through Tumiki", () => {
  it("streams as SSE, one progress event at a time, all before the result", async () => {
    const session = await openRawSession(alice);
    const { response, messages } = await streamCountSlowly({
      user: alice,
      session,
      id: 2,
      progressToken: "alice-progress",
      to: 5,
      delayMs: 300,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");

    expect(messages.map(({ message }) => message.method ?? `response ${message.id}`)).toEqual([
      "notifications/progress",
      "notifications/progress",
      "notifications/progress",
      "notifications/progress",
      "notifications/progress",
      "response 2",
    ]);
    expect(progressOf(messages).map(({ message }) => message.params)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({
        progressToken: "alice-progress",
        progress: n,
        total: 5,
        message: `counted ${n}`,
      })),
    );
    const result = messages.at(-1);
    expect(resultTextOf(result?.message)).toBe("Counted to 5.");

    // Forwarded as they happen, not collected until the end: the backend spaces them 300 ms apart.
    const [first, , third] = progressOf(messages);
    expect((result?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(600);
    expect((third?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(300);
  });

  it("reaches an SDK client's onprogress, each before the result", async () => {
    const client = await connectMcpClient(alice);
    const started = Date.now();
    const events: { at: number; what: string }[] = [];
    const result = await client.callTool(
      { name: "count_slowly", arguments: { to: 4, delayMs: 250 } },
      undefined,
      {
        onprogress: (progress) =>
          events.push({ at: Date.now() - started, what: `progress ${progress.progress}/${progress.total}` }),
      },
    );
    events.push({ at: Date.now() - started, what: `result ${resultTextOf({ result })}` });
    expect(events.map((event) => event.what)).toEqual([
      "progress 1/4",
      "progress 2/4",
      "progress 3/4",
      "progress 4/4",
      "result Counted to 4.",
    ]);
    expect((events.at(-1)?.at ?? 0) - (events[0]?.at ?? 0)).toBeGreaterThanOrEqual(500);
    await client.close();
  });
});

describe("a client that disconnects mid-call and does not come back", () => {
  it("stops count_slowly at the backend once the resume grace passed (aborted, after notifications/cancelled)", async () => {
    const session = await openRawSession(alice);
    const before = await fetchDemoStats();
    const countsBefore = before.mcp.toolCalls.count_slowly ?? { started: 0, completed: 0, aborted: 0 };

    const controller = new AbortController();
    const { messages } = await streamCountSlowly({
      user: alice,
      session,
      id: 3,
      progressToken: "leaving",
      to: 20,
      delayMs: 200,
      signal: controller.signal,
      onMessage: (message) => {
        if (message.method === "notifications/progress") controller.abort();
      },
    });
    expect(progressOf(messages)).toHaveLength(1);

    const after = await waitForDemoAbort({
      demoOrigin: demo.origin,
      tool: "count_slowly",
      abortedBefore: countsBefore.aborted,
    });
    expect(after.mcp.toolCalls.count_slowly).toEqual({
      started: countsBefore.started + 1,
      completed: countsBefore.completed,
      aborted: countsBefore.aborted + 1,
    });
    expect(after.mcp.cancellations).toBe(before.mcp.cancellations + 1);

    // The Tumiki session outlives the dropped request.
    const ping = await postMcp({
      url: alice.url,
      bearer: alice.bearer,
      sessionId: session.sessionId,
      message: { jsonrpc: "2.0", id: 4, method: "ping" },
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
    expect(ping.status).toBe(200);
  });
});

describe("two users calling at the same time", () => {
  it("each SDK client gets only its own progress and result, though both use request id 1 and progress token 1", async () => {
    const [aliceClient, bobClient] = await Promise.all([connectMcpClient(alice), connectMcpClient(bob)]);
    const seen = { alice: [] as string[], bob: [] as string[] };
    const [aliceResult, bobResult] = await Promise.all([
      aliceClient.callTool({ name: "count_slowly", arguments: { to: 4, delayMs: 150 } }, undefined, {
        onprogress: (p) => seen.alice.push(`${p.progress}/${p.total} ${p.message}`),
      }),
      bobClient.callTool({ name: "count_slowly", arguments: { to: 6, delayMs: 100 } }, undefined, {
        onprogress: (p) => seen.bob.push(`${p.progress}/${p.total} ${p.message}`),
      }),
    ]);
    expect(seen.alice).toEqual([1, 2, 3, 4].map((n) => `${n}/4 counted ${n}`));
    expect(seen.bob).toEqual([1, 2, 3, 4, 5, 6].map((n) => `${n}/6 counted ${n}`));
    expect(resultTextOf({ result: aliceResult })).toBe("Counted to 4.");
    expect(resultTextOf({ result: bobResult })).toBe("Counted to 6.");
    await Promise.all([aliceClient.close(), bobClient.close()]);
  });

  it("raw streams with the same id and progress token carry only their own user's events", async () => {
    const [aliceSession, bobSession] = await Promise.all([openRawSession(alice), openRawSession(bob)]);
    expect(aliceSession.sessionId).not.toBe(bobSession.sessionId);
    const shared = { id: 9, progressToken: "same-token" };
    const [aliceStream, bobStream] = await Promise.all([
      streamCountSlowly({ user: alice, session: aliceSession, ...shared, to: 3, delayMs: 120 }),
      streamCountSlowly({ user: bob, session: bobSession, ...shared, to: 5, delayMs: 80 }),
    ]);
    expect(progressOf(aliceStream.messages).map(({ message }) => message.params?.total)).toEqual([3, 3, 3]);
    expect(progressOf(bobStream.messages).map(({ message }) => message.params?.total)).toEqual([
      5, 5, 5, 5, 5,
    ]);
    expect(resultTextOf(aliceStream.messages.at(-1)?.message)).toBe("Counted to 3.");
    expect(resultTextOf(bobStream.messages.at(-1)?.message)).toBe("Counted to 5.");

    // Nor can one user use the other's session: to bob, alice's session does not exist.
    const crossed = await postMcp({
      url: bob.url,
      bearer: bob.bearer,
      sessionId: aliceSession.sessionId,
      message: { jsonrpc: "2.0", id: 10, method: "ping" },
      headers: { "mcp-protocol-version": bobSession.protocolVersion },
    });
    expect(crossed.status).toBe(404);
  });

  it("many interleaved calls of both users keep their results apart", async () => {
    const [aliceClient, bobClient] = await Promise.all([connectMcpClient(alice), connectMcpClient(bob)]);
    const calls = Array.from({ length: 10 }, (_, i) => ({
      who: i % 2 === 0 ? "alice" : "bob",
      client: i % 2 === 0 ? aliceClient : bobClient,
      to: (i % 5) + 1,
    }));
    const answers = await Promise.all(
      calls.map(async ({ who, client, to }) => {
        const result = await client.callTool({ name: "count_slowly", arguments: { to, delayMs: 20 } });
        return `${who} ${resultTextOf({ result })}`;
      }),
    );
    expect(answers).toEqual(calls.map(({ who, to }) => `${who} Counted to ${to}.`));
    await Promise.all([aliceClient.close(), bobClient.close()]);
  });
});
