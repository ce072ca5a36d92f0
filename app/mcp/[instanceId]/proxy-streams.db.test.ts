import { setTimeout as sleep } from "node:timers/promises";
import { createParser } from "eventsource-parser";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/server/db";
import { setInstanceConnections } from "@/server/instances/set-instance-connections";
import { hashSessionId } from "@/server/mcp/mcp-session-schemas";
import { getRedis } from "@/server/redis";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  addRecordingServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  MCP_ACCEPT,
  openRawSession,
  postMcp,
  readRpcResponse,
  setTestEnv,
  startTumikiProxy,
  type TJsonRpcMessage,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { startRecordingMcpBackend, type TRecordingBackend } from "@/server/testing/recording-mcp-backend";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// The streams of /mcp/{instanceId}, on the wire (raw fetch, one Tumiki process):
// - a 2025 client's POST stream: priming event, an id on every event, resumption with GET and
//   Last-Event-ID after a drop (exactly the rest, once, only in its own session), abandonment (the
//   backend told to cancel) after the resume grace, or at once when the client leaves before the
//   backend's headers;
// - a 2025 backend that closes its stream early (SDK resumability): Tumiki resumes it itself;
// - a 2025 session's GET stream: backend notifications and requests (roots/list) with `s.` ids,
//   resumption, takeover by a newer GET, the end at DELETE, the instance's own changes;
// - 2026-07-28 subscriptions/listen: acknowledgement first with the honoured filter, the subscription
//   id on everything, filtering, the per-user stream cap, isolation between users, invalid filters.
// Backends: the recording backend (2025, sessions; resumable streams and roots on list change turned
// on), the 2026-07-28 fixture in "sessions" mode (2025 sessions beside 2026) and in "reject" mode
// (2026-07-28 only; Tumiki listens on its subscriptions/listen).

const MODERN = "2026-07-28";
const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
const CALL_EVENT_ID = /^c\.[A-Za-z0-9_-]{16}\.\d+$/;
const SESSION_EVENT_ID = /^s\.\d+(-\d+)?$/;
const LIST_CHANGED = [
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/resources/list_changed",
];

let proxy: TTumikiProxy;
let recording: TRecordingBackend;
let dual: TModernBackend;
let modernA: TModernBackend;
let modernB: TModernBackend;
const undo: (() => void)[] = [];

type TTarget = { url: string; bearer: string; instanceId: string };
type TUser = { id: string };

let alice: TUser;
let bob: TUser;
let carol: TUser;
let dave: TUser;
/** Alice's connections, by backend. */
const conn = { recording: "", dual: "", modernA: "", modernB: "" };
let slugA = "";
let slugB = "";
/** Alice: the recording backend alone. */
let rec: TTarget;
/** Alice: the dual-era fixture alone. */
let dualOnly: TTarget;
/** Alice: modern A alone. */
let aOnly: TTarget;
/** Alice: modern A and B, with a token scoped to A only. */
let scoped: TTarget;
/** The same instance as `scoped`, with a token for every server. */
let scopedAll: TTarget;
/** Bob: modern B alone. */
let bobB: TTarget;

async function openInstance(userId: string, connectionIds: string[], scopes?: string[]): Promise<TTarget> {
  const instance = await createProxyInstance({ userId, connectionIds });
  const { accessToken } = await issueInstanceCredentials({ userId, instanceId: instance.id, scopes });
  return { url: proxy.mcpUrl(instance.id), bearer: accessToken, instanceId: instance.id };
}

async function connectNone(userId: string, name: string, url: string) {
  return createServerConnection({ userId, name, url, authType: "NONE", status: "CONNECTED" });
}

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  [recording, dual, modernA, modernB] = await Promise.all([
    startRecordingMcpBackend({
      name: "streams-recording",
      resumableStreams: { retryMs: 100 },
      askRootsOnListChanged: true,
    }),
    startModernBackend({ legacy: "sessions", name: "streams-dual" }),
    startModernBackend({ legacy: "reject", name: "streams-modern-a" }),
    startModernBackend({ legacy: "reject", name: "streams-modern-b" }),
  ]);
  undo.push(allowBackendHosts([recording.hostPort, dual.hostPort, modernA.hostPort, modernB.hostPort]));

  [alice, bob, carol, dave] = await Promise.all([
    createTestUser(),
    createTestUser(),
    createTestUser(),
    createTestUser(),
  ]);
  conn.recording = (
    await addRecordingServer({ userId: alice.id, backend: recording, name: "Recorder" })
  ).connectionId;
  conn.dual = (await connectNone(alice.id, "Dual", dual.mcpUrl)).connectionId;
  const a = await connectNone(alice.id, "Alpha", modernA.mcpUrl);
  const b = await connectNone(alice.id, "Beta", modernB.mcpUrl);
  conn.modernA = a.connectionId;
  conn.modernB = b.connectionId;
  slugA = a.slug;
  slugB = b.slug;

  rec = await openInstance(alice.id, [conn.recording]);
  dualOnly = await openInstance(alice.id, [conn.dual]);
  aOnly = await openInstance(alice.id, [conn.modernA]);
  scoped = await openInstance(alice.id, [conn.modernA, conn.modernB], [`mcp:access:${slugA}`]);
  const { accessToken } = await issueInstanceCredentials({ userId: alice.id, instanceId: scoped.instanceId });
  scopedAll = { ...scoped, bearer: accessToken };

  const bobServer = await connectNone(bob.id, "Beta", modernB.mcpUrl);
  bobB = await openInstance(bob.id, [bobServer.connectionId]);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.allSettled([recording?.close(), dual?.close(), modernA?.close(), modernB?.close()]);
  for (const restore of undo.reverse()) restore();
});

// ─── SSE on the wire ──────────────────────────────────────────────────────────────────────────────

type TSseEvent = { id?: string; retry?: number; data: string; message?: TJsonRpcMessage; at: number };

type TSse = {
  response: Response;
  status: number;
  /** Every event so far (priming events included), in order. */
  events: TSseEvent[];
  /** The JSON-RPC messages so far. */
  messages(): TJsonRpcMessage[];
  /** The first event (from the start) that matches; rejects after `timeoutMs`. */
  waitFor(match: (event: TSseEvent) => boolean, timeoutMs?: number, label?: string): Promise<TSseEvent>;
  waitForMessage(
    match: (message: TJsonRpcMessage) => boolean,
    timeoutMs?: number,
    label?: string,
  ): Promise<TJsonRpcMessage>;
  /** Resolves when the body ended (by the server, or by close()). */
  ended: Promise<void>;
  readonly isEnded: boolean;
  close(): void;
};

const open: TSse[] = [];

/** One request whose answer is read as SSE as it arrives (a JSON answer becomes one event). */
async function openSse(url: string, init: RequestInit): Promise<TSse> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const events: TSseEvent[] = [];
  const waiters = new Set<() => void>();
  const started = Date.now();
  let isEnded = false;
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const push = (event: Omit<TSseEvent, "at">) => {
    events.push({ ...event, at: Date.now() - started });
    notify();
  };
  let pendingRetry: number | undefined;
  const parser = createParser({
    onRetry(retry) {
      pendingRetry = retry;
    },
    onEvent(event) {
      const retry = pendingRetry;
      pendingRetry = undefined;
      push({
        id: event.id,
        retry,
        data: event.data,
        message: event.data.trim() === "" ? undefined : (JSON.parse(event.data) as TJsonRpcMessage),
      });
    },
  });
  const pump = async () => {
    const isSse = (response.headers.get("content-type") ?? "").includes("text/event-stream");
    try {
      if (!isSse) {
        const text = await response.text();
        if (text !== "") push({ data: text, message: JSON.parse(text) as TJsonRpcMessage });
        return;
      }
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Closed by the test (or cut): ended.
    } finally {
      isEnded = true;
      notify();
    }
  };
  const ended = pump();
  const waitFor: TSse["waitFor"] = (match, timeoutMs = 5_000, label = "an event") =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = events.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (isEnded) {
          done();
          reject(new Error(`the stream ended without ${label}: ${JSON.stringify(events)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${label} within ${timeoutMs} ms: ${JSON.stringify(events)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const sse: TSse = {
    response,
    status: response.status,
    events,
    messages: () => events.flatMap((event) => (event.message ? [event.message] : [])),
    waitFor,
    waitForMessage: async (match, timeoutMs, label) =>
      (await waitFor((event) => event.message !== undefined && match(event.message), timeoutMs, label))
        .message as TJsonRpcMessage,
    ended,
    get isEnded() {
      return isEnded;
    },
    close() {
      controller.abort();
    },
  };
  open.push(sse);
  return sse;
}

/** Closes every stream a test left open (so slots and backend streams are let go). */
async function closeAll() {
  const all = open.splice(0);
  for (const sse of all) sse.close();
  await Promise.all(all.map((sse) => sse.ended));
}

/** Resolves within `ms`, or rejects naming what did not happen. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

const methodOf = (event: TSseEvent) => event.message?.method;
const isMethod = (method: string) => (message: TJsonRpcMessage) => message.method === method;

// ─── 2025 sessions ────────────────────────────────────────────────────────────────────────────────

type TSession = { target: TTarget; sessionId: string; protocolVersion: string };

async function openSession(target: TTarget, capabilities: Record<string, unknown> = {}): Promise<TSession> {
  const session = await openRawSession({ url: target.url, bearer: target.bearer, capabilities });
  return { target, sessionId: session.sessionId, protocolVersion: session.protocolVersion };
}

const sessionHeaders = (session: TSession, extra: Record<string, string> = {}) => ({
  accept: MCP_ACCEPT,
  authorization: `Bearer ${session.target.bearer}`,
  "mcp-session-id": session.sessionId,
  "mcp-protocol-version": session.protocolVersion,
  ...extra,
});

/** A tools/call in the session, its answer read as a stream. */
function streamCall(
  session: TSession,
  id: string | number,
  name: string,
  args: Record<string, unknown>,
  progressToken?: string,
) {
  return openSse(session.target.url, {
    method: "POST",
    headers: { ...sessionHeaders(session), "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name,
        arguments: args,
        ...(progressToken === undefined ? {} : { _meta: { progressToken } }),
      },
    }),
  });
}

/** A tools/call in the session that must succeed: its result. */
async function callInSession(session: TSession, id: string, name: string, args: Record<string, unknown>) {
  const response = await postMcp({
    url: session.target.url,
    bearer: session.target.bearer,
    sessionId: session.sessionId,
    message: { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } },
    headers: { "mcp-protocol-version": session.protocolVersion },
  });
  const answer = await readRpcResponse(response, id);
  expect(answer.error, JSON.stringify(answer)).toBeUndefined();
  expect(answer.result?.isError, JSON.stringify(answer)).toBeFalsy();
  return answer.result ?? {};
}

/** The session's GET stream (resumed after `lastEventId` when given). */
function openSessionStream(session: TSession, lastEventId?: string) {
  return openSse(session.target.url, {
    method: "GET",
    headers: sessionHeaders(session, {
      accept: "text/event-stream",
      ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
    }),
  });
}

// ─── 2026-07-28 ───────────────────────────────────────────────────────────────────────────────────

function modernMessage(id: string | number, method: string, params: Record<string, unknown>) {
  return {
    jsonrpc: "2.0",
    id,
    method,
    params: {
      ...params,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": { name: "proxy-streams-test", version: "1.0.0" },
      },
    },
  };
}

const modernHeaders = (target: TTarget, method: string, name?: string) => ({
  accept: MCP_ACCEPT,
  "content-type": "application/json",
  authorization: `Bearer ${target.bearer}`,
  "mcp-protocol-version": MODERN,
  "mcp-method": method,
  ...(name === undefined ? {} : { "mcp-name": name }),
});

/** subscriptions/listen with this filter, read as a stream. */
function listen(target: TTarget, id: string | number, notifications: unknown) {
  return openSse(target.url, {
    method: "POST",
    headers: modernHeaders(target, "subscriptions/listen"),
    body: JSON.stringify(modernMessage(id, "subscriptions/listen", { notifications })),
  });
}

/** A 2026-07-28 tools/call that must succeed. */
async function callModern(target: TTarget, id: string, name: string, args: Record<string, unknown> = {}) {
  const response = await fetch(target.url, {
    method: "POST",
    headers: modernHeaders(target, "tools/call", name),
    body: JSON.stringify(modernMessage(id, "tools/call", { name, arguments: args })),
  });
  const answer = await readRpcResponse(response, id);
  expect(answer.error, JSON.stringify(answer)).toBeUndefined();
  expect(answer.result?.isError, JSON.stringify(answer)).toBeFalsy();
  return answer.result ?? {};
}

const acknowledged = (sse: TSse) =>
  sse.waitForMessage(isMethod("notifications/subscriptions/acknowledged"), 8_000, "the acknowledgement");

const subscriptionIdOf = (message: TJsonRpcMessage) =>
  (message.params?._meta as Record<string, unknown> | undefined)?.[SUBSCRIPTION_ID];

// ─── 1. Resumable POST streams ────────────────────────────────────────────────────────────────────

describe("a 2025 client's POST stream", () => {
  it("primes, ids every event, and resumes after a drop with exactly the rest, once, in its own session only", async () => {
    const session = await openSession(dualOnly);
    const callsBefore = dual.requests().filter((request) => request.rpcMethod === "tools/call").length;

    const first = await streamCall(session, "resume-1", "count_slowly", { n: 8, delayMs: 150 }, "p-resume");
    expect(first.status).toBe(200);
    expect(first.response.headers.get("content-type")).toContain("text/event-stream");
    await first.waitForMessage((message) => message.params?.progress === 2, 5_000, "progress 2");
    first.close();
    await first.ended;

    // Priming: an id and `retry`, no message.
    const [priming, ...delivered] = first.events;
    expect(priming?.id).toMatch(CALL_EVENT_ID);
    expect(priming?.id?.endsWith(".0")).toBe(true);
    expect(priming?.retry).toBeGreaterThan(0);
    expect(priming?.message).toBeUndefined();
    // Every later event has an id of the same stream, numbered on.
    const stream = priming?.id?.split(".")[1];
    expect(delivered.map((event) => event.id)).toEqual(delivered.map((_, i) => `c.${stream}.${i + 1}`));
    const lastId = delivered.at(-1)?.id as string;
    const lastSeq = delivered.length;

    // Another session of the same user, naming this stream's last id, gets nothing of it.
    const other = await openSession(dualOnly);
    const foreign = await openSessionStream(other, lastId);
    const resumed = await openSessionStream(session, lastId);
    expect(resumed.status).toBe(200);
    await within(resumed.ended, 10_000, "the resumed stream ends after the result");

    const [resumePriming, ...rest] = resumed.events;
    expect(resumePriming?.id).toBe(lastId);
    expect(resumePriming?.message).toBeUndefined();
    expect(rest.map((event) => event.id)).toEqual(rest.map((_, i) => `c.${stream}.${lastSeq + i + 1}`));
    const progress = [...delivered, ...rest]
      .map((event) => event.message)
      .filter((message) => message?.method === "notifications/progress")
      .map((message) => message?.params?.progress);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const result = rest.at(-1)?.message;
    expect(result?.id).toBe("resume-1");
    expect(JSON.stringify(result?.result?.content)).toContain("counted to 8");

    // The backend ran the call once.
    const calls = dual.requests().filter((request) => request.rpcMethod === "tools/call");
    expect(calls).toHaveLength(callsBefore + 1);

    // The other session's stream carried none of it while the call finished.
    expect(foreign.status).toBe(200);
    expect(foreign.messages()).toEqual([]);
    expect(foreign.events.map((event) => event.id).filter((id) => id !== lastId)).toEqual([]);
    await closeAll();
  });

  it("ignores a Last-Event-ID Tumiki did not give: a fresh session stream", async () => {
    const session = await openSession(rec);
    for (const garbage of ["garbage", "c.short.1", "s.not-a-log-id", "c.AAAAAAAAAAAAAAAA.x"]) {
      const sse = await openSessionStream(session, garbage);
      expect(sse.status, garbage).toBe(200);
      const priming = await sse.waitFor(() => true, 3_000, "a priming event");
      expect(priming.id, garbage).toMatch(SESSION_EVENT_ID);
      expect(priming.retry, garbage).toBeGreaterThan(0);
      sse.close();
      await sse.ended;
    }
    await closeAll();
  });
});

// ─── 2. Abandoned calls ───────────────────────────────────────────────────────────────────────────

/** The notifications/cancelled the recording backend received for this request id. */
const cancellationsOf = (requestId: string) =>
  recording.requests.filter(
    (request) =>
      request.rpcMethod === "notifications/cancelled" &&
      (JSON.parse(request.body) as { params?: { requestId?: unknown } }).params?.requestId === requestId,
  );

describe("a call whose client went away", () => {
  it("is cancelled at the backend once the resume grace passed without a resume", async () => {
    const restore = setTestEnv({ MCP_STREAM_RESUME_GRACE_SECONDS: "1" });
    try {
      const session = await openSession(rec);
      const slowBefore = recording.toolCalls.filter((call) => call.tool === "slow").length;
      const sse = await streamCall(session, "grace-1", "slow", { ms: 6_000 }, "p-grace");
      await sse.waitForMessage(isMethod("notifications/progress"), 5_000, "progress");
      sse.close();
      const droppedAt = Date.now();
      await sse.ended;
      await until(() => cancellationsOf("grace-1").length > 0, 5_000, "notifications/cancelled");
      const waited = Date.now() - droppedAt;
      // Not before the grace (1 s), and once.
      expect(waited).toBeGreaterThanOrEqual(900);
      expect(cancellationsOf("grace-1")).toHaveLength(1);
      expect(recording.toolCalls.filter((call) => call.tool === "slow")).toHaveLength(slowBefore + 1);
    } finally {
      restore();
      await closeAll();
    }
  });

  it("runs to its end when the client resumes within the grace", async () => {
    const restore = setTestEnv({ MCP_STREAM_RESUME_GRACE_SECONDS: "1" });
    try {
      const session = await openSession(rec);
      const sse = await streamCall(session, "kept-1", "slow", { ms: 2_000 }, "p-kept");
      await sse.waitForMessage(isMethod("notifications/progress"), 5_000, "progress");
      sse.close();
      await sse.ended;
      const resumed = await openSessionStream(session, sse.events.at(-1)?.id);
      await within(resumed.ended, 8_000, "the resumed stream ends with the result");
      const result = resumed.messages().at(-1);
      expect(result?.id).toBe("kept-1");
      expect(JSON.stringify(result?.result?.content)).toContain("waited 2000 ms");
      expect(cancellationsOf("kept-1")).toEqual([]);
    } finally {
      restore();
      await closeAll();
    }
  });

  it("is not given up on while a newer resumed stream follows it, when an older resumed one closes", async () => {
    // A client whose resumed connection died silently resumes again; the server notices the old
    // connection's end only later. The call still has a listener: it must run to its end.
    const restore = setTestEnv({ MCP_STREAM_RESUME_GRACE_SECONDS: "1" });
    try {
      const session = await openSession(rec);
      const sse = await streamCall(session, "twice-1", "slow", { ms: 3_000 }, "p-twice");
      await sse.waitForMessage(isMethod("notifications/progress"), 5_000, "progress");
      sse.close();
      await sse.ended;
      const older = await openSessionStream(session, sse.events.at(-1)?.id);
      await older.waitForMessage(isMethod("notifications/progress"), 5_000, "progress on the older resume");
      const newer = await openSessionStream(session, older.events.at(-1)?.id);
      await newer.waitForMessage(isMethod("notifications/progress"), 5_000, "progress on the newer resume");
      older.close();
      await older.ended;
      await within(newer.ended, 8_000, "the newer resumed stream ends");
      const result = newer.messages().at(-1);
      expect(result?.id).toBe("twice-1");
      expect(JSON.stringify(result?.result?.content)).toContain("waited 3000 ms");
      expect(cancellationsOf("twice-1")).toEqual([]);
    } finally {
      restore();
      await closeAll();
    }
  });

  it("is cancelled at once when the client leaves before the backend's headers arrive", async () => {
    const restore = setTestEnv({ MCP_STREAM_RESUME_GRACE_SECONDS: "30" });
    recording.delayToolCallHeaders(3_000);
    try {
      const session = await openSession(rec);
      const controller = new AbortController();
      const pending = fetch(rec.url, {
        method: "POST",
        signal: controller.signal,
        headers: { ...sessionHeaders(session), "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: "early-1",
          method: "tools/call",
          params: { name: "echo", arguments: { text: "never answered" } },
        }),
      }).catch((error: unknown) => error);
      await until(
        () => recording.requests.some((request) => request.body.includes('"early-1"')),
        3_000,
        "the call reaching the backend",
      );
      controller.abort();
      const leftAt = Date.now();
      expect(await pending).toBeInstanceOf(Error);
      await until(() => cancellationsOf("early-1").length > 0, 5_000, "notifications/cancelled");
      expect(Date.now() - leftAt).toBeLessThan(2_000);
    } finally {
      recording.delayToolCallHeaders(0);
      restore();
    }
  });
});

// ─── 3. A backend that closes its stream early ────────────────────────────────────────────────────

describe("a 2025 backend that closes its POST stream early to be polled", () => {
  it("is resumed by Tumiki (GET with Last-Event-ID); the client gets everything on its one stream", async () => {
    const session = await openSession(rec);
    const requestsBefore = recording.requests.length;
    const pausesBefore = recording.toolCalls.filter((call) => call.tool === "pause_stream").length;
    const sse = await streamCall(session, "poll-1", "pause_stream", { ms: 500 }, "p-poll");
    await within(sse.ended, 10_000, "the client's stream ends with the result");

    const messages = sse.messages();
    expect(messages.map((message) => message.method ?? `response ${message.id}`)).toEqual([
      "notifications/progress",
      "notifications/progress",
      "response poll-1",
    ]);
    expect(messages.map((message) => message.params?.progress).slice(0, 2)).toEqual([1, 2]);
    expect(JSON.stringify(messages.at(-1)?.result?.content)).toContain("resumed after 500 ms");
    expect(sse.events.every((event) => CALL_EVENT_ID.test(event.id ?? ""))).toBe(true);

    const resumes = recording.requests
      .slice(requestsBefore)
      .filter((request) => request.method === "GET" && request.headers["last-event-id"] !== undefined);
    expect(resumes).toHaveLength(1);
    expect(String(resumes[0]?.headers["last-event-id"])).toContain("::");
    expect(recording.toolCalls.filter((call) => call.tool === "pause_stream")).toHaveLength(pausesBefore + 1);
    await closeAll();
  });
});

// ─── 4. The session's GET stream ──────────────────────────────────────────────────────────────────

/** Waits until the backend has a GET stream open for one of its sessions (Tumiki follows it). */
async function untilDualFeedOpen(after: number) {
  await until(
    () =>
      dual
        .requests()
        .slice(after)
        .some((request) => request.method === "GET" && request.status === 200),
    5_000,
    "Tumiki following the backend's GET stream",
  );
}

describe("a 2025 session's GET stream", () => {
  it("carries a 2025-session backend's list change with an s. id, and replays what was missed on reconnection", async () => {
    const session = await openSession(dualOnly);
    const before = dual.requests().length;
    const stream = await openSessionStream(session);
    expect(stream.status).toBe(200);
    const priming = await stream.waitFor(() => true, 3_000, "the priming event");
    expect(priming.id).toMatch(SESSION_EVENT_ID);
    expect(priming.retry).toBeGreaterThan(0);
    await untilDualFeedOpen(before);

    await callInSession(session, "change-1", "change_tools", { action: "add", name: "dynamic_get_a" });
    const changed = await stream.waitFor(
      (event) => methodOf(event) === "notifications/tools/list_changed",
      5_000,
      "tools/list_changed",
    );
    expect(changed.id).toMatch(SESSION_EVENT_ID);
    stream.close();
    await stream.ended;

    // Away: the backend's list changes again.
    await callInSession(session, "change-2", "change_tools", { action: "remove", name: "dynamic_get_a" });
    const resumed = await openSessionStream(session, changed.id);
    expect(resumed.status).toBe(200);
    try {
      const missed = await resumed.waitFor(
        (event) => methodOf(event) === "notifications/tools/list_changed",
        3_000,
        "the list change made while the client was away",
      );
      expect(missed.id).toMatch(SESSION_EVENT_ID);
      expect(missed.id).not.toBe(changed.id);
    } finally {
      await closeAll();
    }
  });

  it("replays, on reconnection from its priming id, an instance change made while the client was away", async () => {
    const away = await openInstance(alice.id, [conn.recording]);
    const session = await openSession(away);
    const stream = await openSessionStream(session);
    const priming = await stream.waitFor(() => true, 3_000, "the priming event");
    stream.close();
    await stream.ended;

    await setInstanceConnections({
      userId: alice.id,
      instanceId: away.instanceId,
      connectionIds: [conn.recording, conn.modernA],
    });
    const resumed = await openSessionStream(session, priming.id);
    expect(resumed.status).toBe(200);
    try {
      await resumed.waitFor(
        (event) => methodOf(event) === "notifications/tools/list_changed",
        3_000,
        "the instance change made while the client was away",
      );
    } finally {
      await closeAll();
    }
  });

  it("relays a 2026-07-28-only backend's list change (Tumiki listens for the session)", async () => {
    const session = await openSession(aOnly);
    const before = modernA.requests().length;
    const stream = await openSessionStream(session);
    await stream.waitFor(() => true, 3_000, "the priming event");
    await until(
      () =>
        modernA
          .requests()
          .slice(before)
          .some((request) => request.rpcMethod === "subscriptions/listen"),
      5_000,
      "Tumiki listening at the backend",
    );
    await sleep(200);
    await callInSession(session, "change-3", "change_tools", { action: "add", name: "dynamic_get_b" });
    const changed = await stream.waitFor(
      (event) => methodOf(event) === "notifications/tools/list_changed",
      5_000,
      "tools/list_changed",
    );
    expect(changed.id).toMatch(SESSION_EVENT_ID);
    // Tumiki's own listen subscription stays Tumiki's: no subscription id reaches a 2025 client.
    expect(subscriptionIdOf(changed.message as TJsonRpcMessage)).toBeUndefined();
    await callInSession(session, "change-4", "change_tools", { action: "remove", name: "dynamic_get_b" });
    await closeAll();
  });

  it("relays a backend's roots/list sent on its GET stream, and the client's answer back to it", async () => {
    const session = await openSession(rec, { roots: { listChanged: true } });
    const before = recording.requests.length;
    const stream = await openSessionStream(session);
    await stream.waitFor(() => true, 3_000, "the priming event");
    await until(
      () =>
        recording.requests
          .slice(before)
          .some((request) => request.method === "GET" && request.headers["last-event-id"] === undefined),
      5_000,
      "Tumiki following the backend's GET stream",
    );
    await sleep(100);
    const answersBefore = recording.rootsAnswers.length;

    const notified = await postMcp({
      url: rec.url,
      bearer: rec.bearer,
      sessionId: session.sessionId,
      message: { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
    expect(notified.status).toBe(202);
    const asked = await stream.waitFor((event) => methodOf(event) === "roots/list", 5_000, "roots/list");
    expect(asked.id).toMatch(SESSION_EVENT_ID);
    const requestId = asked.message?.id;
    // Tumiki's own (sealed) id, not the backend's.
    expect(typeof requestId).toBe("string");
    expect(String(requestId).length).toBeGreaterThan(20);

    const roots = [{ uri: "file:///projects/streams", name: "Streams" }];
    const answered = await postMcp({
      url: rec.url,
      bearer: rec.bearer,
      sessionId: session.sessionId,
      message: { jsonrpc: "2.0", id: requestId, result: { roots } },
      headers: { "mcp-protocol-version": session.protocolVersion },
    });
    expect(answered.status).toBe(202);
    await until(
      () => recording.rootsAnswers.length > answersBefore,
      5_000,
      "the answer reaching the backend",
    );
    expect(recording.rootsAnswers.slice(answersBefore)).toEqual([{ roots }]);
    await closeAll();
  });

  it("is taken over by a newer GET of the session, and ends when the session is deleted, at once", async () => {
    const taken = await openSession(dualOnly);
    const deleted = await openSession(rec);
    const before = dual.requests().length;
    const older = await openSessionStream(taken);
    await older.waitFor(() => true, 3_000, "the priming event");
    const newer = await openSessionStream(taken);
    await newer.waitFor(() => true, 3_000, "the priming event");
    const doomed = await openSessionStream(deleted);
    await doomed.waitFor(() => true, 3_000, "the priming event");

    const ended = await postMcp({
      url: rec.url,
      bearer: rec.bearer,
      sessionId: deleted.sessionId,
      method: "DELETE",
      headers: { "mcp-protocol-version": deleted.protocolVersion },
    });
    expect([200, 202, 204]).toContain(ended.status);
    const gone = await postMcp({
      url: rec.url,
      bearer: rec.bearer,
      sessionId: deleted.sessionId,
      method: "GET",
      headers: { accept: "text/event-stream", "mcp-protocol-version": deleted.protocolVersion },
    });
    expect(gone.status).toBe(404);
    await gone.body?.cancel();

    // The newer stream is the session's: the backend's notification reaches it (once the backend let
    // go of the older stream's GET, which it allows one of per session: changes are made until then).
    await untilDualFeedOpen(before);
    let added = false;
    for (
      let attempt = 0;
      attempt < 25 && !newer.events.some((event) => methodOf(event) === "notifications/tools/list_changed");
      attempt += 1
    ) {
      await callInSession(taken, `change-5-${attempt}`, "change_tools", {
        action: added ? "remove" : "add",
        name: "dynamic_get_c",
      });
      added = !added;
      await sleep(200);
    }
    await newer.waitFor(
      (event) => methodOf(event) === "notifications/tools/list_changed",
      1_000,
      "tools/list_changed on the newer stream",
    );
    if (!added)
      await callInSession(taken, "change-5-again", "change_tools", { action: "add", name: "dynamic_get_c" });

    // Told through the session's control log, not left to the 15 s heartbeat.
    await within(Promise.all([older.ended, doomed.ended]), 3_000, "the older and the deleted stream end");
    expect(newer.isEnded).toBe(false);
    await callInSession(taken, "change-6", "change_tools", { action: "remove", name: "dynamic_get_c" });
    await closeAll();
  }, 30_000);
});

// ─── Instance changes ─────────────────────────────────────────────────────────────────────────────

describe("the instance's own changes", () => {
  it("reach a 2025 GET stream and a 2026-07-28 listen stream as tools, prompts and resources list changes", async () => {
    const changing = await openInstance(alice.id, [conn.recording]);
    const session = await openSession(changing);
    const before = recording.requests.length;
    const get = await openSessionStream(session);
    await get.waitFor(() => true, 3_000, "the priming event");
    // The GET stream follows the instance once its backend feeds are started (priming comes first).
    await until(
      () => recording.requests.slice(before).some((request) => request.method === "GET"),
      5_000,
      "Tumiki following the backend's GET stream",
    );
    const listening = await listen(changing, "listen-instance", {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
    });
    const ack = await acknowledged(listening);
    expect(ack.params?.notifications).toEqual({
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
    });
    await sleep(200);

    const changesOn = (sse: TSse) =>
      sse.events.filter((event) => LIST_CHANGED.includes(methodOf(event) ?? ""));
    const expectThree = async (count: number, what: string) => {
      for (const sse of [get, listening]) {
        await until(() => changesOn(sse).length >= count * 3, 5_000, `${what}: three list changes`);
      }
      for (const sse of [get, listening]) {
        const methods = changesOn(sse)
          .slice((count - 1) * 3)
          .map(methodOf)
          .sort();
        expect(methods, what).toEqual([...LIST_CHANGED].sort());
      }
      expect(changesOn(get).every((event) => SESSION_EVENT_ID.test(event.id ?? ""))).toBe(true);
      expect(
        changesOn(listening).every((event) => subscriptionIdOf(event.message ?? {}) === "listen-instance"),
      ).toBe(true);
    };

    await setInstanceConnections({
      userId: alice.id,
      instanceId: changing.instanceId,
      connectionIds: [conn.recording, conn.modernA],
    });
    await expectThree(1, "a server added");
    // Beyond the listen stream's coalescing window (250 ms) of the same list.
    await sleep(400);
    await setInstanceConnections({
      userId: alice.id,
      instanceId: changing.instanceId,
      connectionIds: [conn.recording],
    });
    await expectThree(2, "a server removed");
    await sleep(300);
    expect(changesOn(get)).toHaveLength(6);
    expect(changesOn(listening)).toHaveLength(6);
    await closeAll();
  });
});

// ─── 5. subscriptions/listen ──────────────────────────────────────────────────────────────────────

describe("subscriptions/listen (2026-07-28)", () => {
  it("acknowledges first with the honoured filter (no URIs outside the token's scopes or unknown), and tags everything", async () => {
    const uriA = `tumiki.${slugA}.note://subscribed`;
    const uriB = `tumiki.${slugB}.note://subscribed`;
    const sse = await listen(scoped, "listen-scoped", {
      toolsListChanged: true,
      resourceSubscriptions: [uriA, uriB, "note://subscribed", "tumiki.nosuchserver.note://x"],
    });
    expect(sse.status).toBe(200);
    const ack = await acknowledged(sse);
    expect(sse.messages()[0]).toBe(ack);
    expect(ack.params?.notifications).toEqual({ toolsListChanged: true, resourceSubscriptions: [uriA] });
    expect(subscriptionIdOf(ack)).toBe("listen-scoped");

    // B (outside the token's scopes) changes first, then A: only A's update arrives.
    await callModern(scopedAll, "touch-b", `${slugB}__touch_resource`);
    await callModern(scoped, "touch-a", `${slugA}__touch_resource`);
    await sse.waitForMessage(
      (message) => message.method === "notifications/resources/updated" && message.params?.uri === uriA,
      5_000,
      "A's resource update",
    );
    await callModern(scoped, "tools-a", `${slugA}__change_tools`, {
      action: "add",
      name: "dynamic_listen_a",
    });
    await sse.waitForMessage(isMethod("notifications/tools/list_changed"), 5_000, "tools/list_changed");
    await sleep(200);
    const messages = sse.messages();
    expect(messages.filter((message) => message.params?.uri === uriB)).toEqual([]);
    expect(messages.every((message) => subscriptionIdOf(message) === "listen-scoped")).toBe(true);
    await callModern(scoped, "tools-a2", `${slugA}__change_tools`, {
      action: "remove",
      name: "dynamic_listen_a",
    });
    await closeAll();
  });

  it("sends no tools list change to a filter without toolsListChanged", async () => {
    const filtered = await openInstance(alice.id, [conn.modernA]);
    const sse = await listen(filtered, 7, { promptsListChanged: true });
    const ack = await acknowledged(sse);
    expect(ack.params?.notifications).toEqual({ promptsListChanged: true });
    expect(subscriptionIdOf(ack)).toBe(7);

    // The backend's tools change, then the instance's servers change (every list): only prompts pass.
    await callModern(filtered, "tools-f", "change_tools", { action: "add", name: "dynamic_filtered" });
    await setInstanceConnections({
      userId: alice.id,
      instanceId: filtered.instanceId,
      connectionIds: [conn.modernA, conn.recording],
    });
    const prompts = await sse.waitForMessage(
      isMethod("notifications/prompts/list_changed"),
      5_000,
      "prompts/list_changed",
    );
    expect(subscriptionIdOf(prompts)).toBe(7);
    await sleep(500);
    expect(sse.messages().map((message) => message.method)).toEqual([
      "notifications/subscriptions/acknowledged",
      "notifications/prompts/list_changed",
    ]);
    await callModern(aOnly, "tools-f2", "change_tools", { action: "remove", name: "dynamic_filtered" });
    await closeAll();
  });

  it("caps a user's open streams (GET and listen alike) with a readable 429; others are unaffected; closing frees a slot", async () => {
    const restore = setTestEnv({ MCP_MAX_STREAMS_PER_USER: "2" });
    try {
      const carolA = await openInstance(carol.id, [
        (await connectNone(carol.id, "Alpha", modernA.mcpUrl)).connectionId,
      ]);
      const daveA = await openInstance(dave.id, [
        (await connectNone(dave.id, "Alpha", modernA.mcpUrl)).connectionId,
      ]);
      const carolRec = await openInstance(carol.id, [
        (await addRecordingServer({ userId: carol.id, backend: recording, name: "Recorder" })).connectionId,
      ]);
      const session = await openSession(carolRec);

      const first = await listen(carolA, "cap-1", { toolsListChanged: true });
      await acknowledged(first);
      const second = await openSessionStream(session);
      await second.waitFor(() => true, 3_000, "the priming event");

      const expectCapped = async (sse: TSse, what: string) => {
        await sse.ended;
        expect(sse.status, what).toBe(429);
        const body = sse.messages()[0];
        expect(body?.error?.message, what).toMatch(/Too many open streams.*2/);
        expect(sse.response.headers.get("retry-after"), what).not.toBeNull();
      };
      await expectCapped(await listen(carolA, "cap-3", { toolsListChanged: true }), "a third listen");
      const otherSession = await openSession(carolRec);
      await expectCapped(await openSessionStream(otherSession), "a third GET");

      // Another user is not affected.
      const daves = await listen(daveA, "cap-dave", { toolsListChanged: true });
      expect(daves.status).toBe(200);
      await acknowledged(daves);

      // Closing one frees its slot.
      first.close();
      await first.ended;
      let again: TSse | undefined;
      const deadline = Date.now() + 3_000;
      while (Date.now() < deadline) {
        again = await listen(carolA, "cap-4", { toolsListChanged: true });
        if (again.status === 200) break;
        await again.ended;
        await sleep(100);
      }
      expect(again?.status).toBe(200);
      await acknowledged(again as TSse);
    } finally {
      restore();
      await closeAll();
    }
  });

  it("never delivers one user's notifications to another user's listen stream", async () => {
    const filter = { toolsListChanged: true, resourceSubscriptions: ["note://subscribed"] };
    const alices = await listen(aOnly, "iso", filter);
    const bobs = await listen(bobB, "iso", filter);
    expect((await acknowledged(alices)).params?.notifications).toEqual(filter);
    expect((await acknowledged(bobs)).params?.notifications).toEqual(filter);

    await callModern(aOnly, "iso-a1", "touch_resource");
    await alices.waitForMessage(isMethod("notifications/resources/updated"), 5_000, "alice's update");
    await callModern(bobB, "iso-b1", "change_tools", { action: "add", name: "dynamic_bob" });
    await bobs.waitForMessage(isMethod("notifications/tools/list_changed"), 5_000, "bob's list change");
    // Past the coalescing window (250 ms), so a leaked change could not hide behind alice's own.
    await sleep(400);
    const methods = (sse: TSse) => sse.messages().map((message) => message.method);
    expect(methods(alices)).toEqual([
      "notifications/subscriptions/acknowledged",
      "notifications/resources/updated",
    ]);
    await setInstanceConnections({
      userId: alice.id,
      instanceId: aOnly.instanceId,
      connectionIds: [conn.modernA, conn.recording],
    });
    await alices.waitForMessage(
      isMethod("notifications/tools/list_changed"),
      5_000,
      "alice's instance change",
    );
    await sleep(500);
    expect(methods(bobs)).toEqual([
      "notifications/subscriptions/acknowledged",
      "notifications/tools/list_changed",
    ]);
    // Alice's tools list changed with her instance, once; bob's backend changing is not hers.
    expect(methods(alices)).toEqual([
      "notifications/subscriptions/acknowledged",
      "notifications/resources/updated",
      "notifications/tools/list_changed",
    ]);

    await setInstanceConnections({
      userId: alice.id,
      instanceId: aOnly.instanceId,
      connectionIds: [conn.modernA],
    });
    await callModern(bobB, "iso-b2", "change_tools", { action: "remove", name: "dynamic_bob" });
    await closeAll();
  });

  it("refuses an invalid filter with -32602", async () => {
    for (const notifications of [{ toolsListChanged: "yes" }, { resourceSubscriptions: "note://x" }, 42]) {
      const sse = await listen(aOnly, "bad-filter", notifications);
      await sse.ended;
      const [answer] = sse.messages();
      expect(answer, JSON.stringify(notifications)).toMatchObject({
        jsonrpc: "2.0",
        id: "bad-filter",
        error: { code: -32602 },
      });
    }
  });
});

describe("a long-lived stream whose credential is revoked", () => {
  it("ends soon after (GET stream and listen stream alike); until then re-checks keep it open", async () => {
    const restore = setTestEnv({ MCP_STREAM_AUTH_RECHECK_SECONDS: "1" });
    try {
      const target = await openInstance(alice.id, [conn.recording, conn.modernA]);
      const session = await openSession(target);
      const get = await openSessionStream(session);
      await get.waitFor(() => true, 3_000, "the priming event");
      const listening = await listen(target, "revoked-listen", { toolsListChanged: true });
      await acknowledged(listening);

      // Several re-checks pass while the token holds: both streams stay open.
      await sleep(2_500);
      expect(get.isEnded).toBe(false);
      expect(listening.isEnded).toBe(false);

      const { jti } = decodeJwt(target.bearer);
      await getDb().issuedAccessToken.updateMany({
        where: { jti: String(jti) },
        data: { revokedAt: new Date() },
      });
      await within(Promise.all([get.ended, listening.ended]), 5_000, "both streams ending after revocation");
      // Ended by Tumiki, not answered: a listen ended this way carries no result.
      expect(listening.messages().some((message) => message.id === "revoked-listen")).toBe(false);
      // Reconnecting meets the 401 that sends the client to authorize again.
      const again = await openSessionStream(session);
      await again.ended;
      expect(again.status).toBe(401);
    } finally {
      restore();
      await closeAll();
    }
  });
});

describe("resuming a call stream (GET with Last-Event-ID c.…)", () => {
  it("counts toward the user's stream cap, and an id of no kept stream marks nothing", async () => {
    const restore = setTestEnv({ MCP_MAX_STREAMS_PER_USER: "1" });
    try {
      const session = await openSession(rec);
      const streamId = "AAAAAAAAAAAAAAAA";
      const resumed = await openSessionStream(session, `c.${streamId}.3`);
      expect(resumed.status).toBe(200);
      // The one slot is the resumed stream's: a listen of the same user is refused meanwhile.
      const capped = await listen(aOnly, "resume-cap", { toolsListChanged: true });
      await capped.ended;
      expect(capped.status).toBe(429);
      // No stream of that id was ever kept: the call it names is not marked as resumed.
      const key = `mcp_stream_resumed:${hashSessionId(session.sessionId)}:${streamId}`;
      expect(await getRedis().get(key)).toBeNull();
      resumed.close();
      await resumed.ended;
    } finally {
      restore();
      await closeAll();
    }
  });
});
