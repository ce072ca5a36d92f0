import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/server/auth/api-keys/create-api-key";
import { ALL_SERVERS_SCOPE } from "@/server/auth/scopes";
import { issueAccessToken } from "@/server/auth/tokens/issue-access-token";
import {
  forgetBackendEra,
  readBackendEra,
  recordBackendEra,
  type TBackendEra,
} from "@/server/mcp/backend-era-store";
import { MAX_SESSION_SUBSCRIPTIONS } from "@/server/mcp/events/session-subscriptions";
import { createServerConnection } from "@/server/servers/create-server-connection";
import { connectLegacyClient, connectModernClient, ELICITED_NAME } from "@/server/testing/era-clients";
import {
  addRecordingServer,
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  readResultText,
  readRpcResponse,
  startTumikiProxy,
  type TJsonRpcMessage,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import {
  callModern,
  ELICITATION,
  openLegacy,
  readAsTheyCome,
  type TLegacySession,
} from "@/server/testing/raw-mcp-requests";
import {
  startRecordingMcpBackend,
  type TRecordedRequest,
  type TRecordingBackend,
} from "@/server/testing/recording-mcp-backend";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { createTestAiClient, createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Isolation at /mcp/{instanceId}, on the wire, between users, instances, credentials and sessions that
// reach the same backend URLs: lists, calls and the backends' own requests (mid-call on the call's
// stream, or on a session's GET stream) reach only the client they concern; the sealed values a client
// hands back (requestState, relayed request ids, Last-Event-ID) work only where they were given; a
// late answer never reaches a backend session opened after the request it answers; subscriptions are
// scope-checked and capped; a wrong era verdict heals, and a rate-limited probe leaves none.
// Backends: the recording backend (2025, sessions; `ask_name` elicits mid-call, roots/list on its GET
// stream after a roots change) and the 2026-07-28 fixture in "reject" mode (2026-07-28 only).

type TTarget = { url: string; bearer: string; instanceId: string };
type TUser = { id: string };
type TConnection = { connectionId: string; slug: string };

let proxy: TTumikiProxy;
let recording: TRecordingBackend;
let modern: TModernBackend;
const undo: (() => void)[] = [];

let alice: TUser;
let bob: TUser;
const aliceConn = { recording: {} as TConnection, modern: {} as TConnection };
const bobConn = { recording: {} as TConnection, modern: {} as TConnection };
/** Alice: the recording backend alone (an OAuth token; `aliceRecKey` is an API key of the same instance). */
let aliceRec: TTarget;
let aliceRecKey: TTarget;
/** Alice: a second instance bundling the same recording connection. */
let aliceRecAgain: TTarget;
/** Alice: the 2026-07-28 backend alone. */
let aliceMod: TTarget;
/** Alice: both backends (aggregated names), OAuth token and API key. */
let aliceBoth: TTarget;
let aliceBothKey: TTarget;
/** Bob: his own connections to the same two backends. */
let bobRec: TTarget;
let bobBoth: TTarget;
let bobBothKey: TTarget;

async function openInstance(userId: string, connectionIds: string[], scopes?: string[]) {
  const instance = await createProxyInstance({ userId, connectionIds });
  const { accessToken, apiKey } = await issueInstanceCredentials({
    userId,
    instanceId: instance.id,
    scopes,
  });
  const url = proxy.mcpUrl(instance.id);
  return {
    token: { url, bearer: accessToken, instanceId: instance.id },
    key: { url, bearer: apiKey, instanceId: instance.id },
  };
}

const connectNone = (userId: string, name: string, url: string) =>
  createServerConnection({ userId, name, url, authType: "NONE", status: "CONNECTED" });

async function connectBoth(userId: string) {
  const rec = await addRecordingServer({ userId, backend: recording, name: "Recorder" });
  const mod = await connectNone(userId, "Modern", modern.mcpUrl);
  return {
    recording: { connectionId: rec.connectionId, slug: rec.slug },
    modern: { connectionId: mod.connectionId, slug: mod.slug },
  };
}

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  [recording, modern] = await Promise.all([
    startRecordingMcpBackend({ name: "iso-recording", askRootsOnListChanged: true, inputTools: true }),
    startModernBackend({ legacy: "reject", name: "iso-modern" }),
  ]);
  undo.push(allowBackendHosts([recording.hostPort, modern.hostPort]));

  [alice, bob] = await Promise.all([createTestUser(), createTestUser()]);
  Object.assign(aliceConn, await connectBoth(alice.id));
  Object.assign(bobConn, await connectBoth(bob.id));

  const rec = await openInstance(alice.id, [aliceConn.recording.connectionId]);
  aliceRec = rec.token;
  aliceRecKey = rec.key;
  aliceRecAgain = (await openInstance(alice.id, [aliceConn.recording.connectionId])).token;
  aliceMod = (await openInstance(alice.id, [aliceConn.modern.connectionId])).token;
  const both = await openInstance(alice.id, [
    aliceConn.recording.connectionId,
    aliceConn.modern.connectionId,
  ]);
  aliceBoth = both.token;
  aliceBothKey = both.key;

  bobRec = (await openInstance(bob.id, [bobConn.recording.connectionId])).token;
  const bobs = await openInstance(bob.id, [bobConn.recording.connectionId, bobConn.modern.connectionId]);
  bobBoth = bobs.token;
  bobBothKey = bobs.key;
}, 60_000);

afterAll(async () => {
  await closeAllStreams();
  await proxy?.close();
  await Promise.allSettled([recording?.close(), modern?.close()]);
  for (const restore of undo.reverse()) restore();
});

// ─── Helpers ──────────────────────────────────────────────────────────────────────────────────────

/** Polls `check` until it holds; rejects naming `what` after `ms`. */
async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

/** Runs `trigger` until `heard` holds (a backend stream still being set up misses the first trigger). */
async function triggerUntil(trigger: () => Promise<unknown>, heard: () => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  while (!heard()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 15000 ms`);
    await trigger();
    await until(heard, 1_000, what).catch(() => undefined);
  }
}

const toolCall = (id: string, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args },
});

type TSseEvent = { id?: string; message?: TJsonRpcMessage };

type TSse = {
  status: number;
  events: TSseEvent[];
  messages(): TJsonRpcMessage[];
  waitFor(match: (event: TSseEvent) => boolean, what: string, timeoutMs?: number): Promise<TSseEvent>;
  ended: Promise<void>;
  close(): void;
};

const openStreams: TSse[] = [];

/** A 2025 session's GET stream (after `lastEventId` when given), read as it arrives. */
async function openSessionStream(session: TLegacySession, lastEventId?: string): Promise<TSse> {
  const controller = new AbortController();
  const response = await fetch(session.target.url, {
    method: "GET",
    signal: controller.signal,
    headers: {
      accept: "text/event-stream",
      authorization: `Bearer ${session.target.bearer}`,
      "mcp-session-id": session.sessionId,
      "mcp-protocol-version": session.protocolVersion,
      ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
    },
  });
  const events: TSseEvent[] = [];
  let isEnded = false;
  const parser = createParser({
    onEvent(event) {
      events.push({
        id: event.id,
        message: event.data.trim() === "" ? undefined : (JSON.parse(event.data) as TJsonRpcMessage),
      });
    },
  });
  const ended = (async () => {
    try {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // Closed by the test, or cut.
    } finally {
      isEnded = true;
    }
  })();
  const sse: TSse = {
    status: response.status,
    events,
    messages: () => events.flatMap((event) => (event.message ? [event.message] : [])),
    async waitFor(match, what, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (isEnded || Date.now() > deadline) {
          throw new Error(`no ${what} (ended: ${isEnded}): ${JSON.stringify(events)}`);
        }
        await sleep(25);
      }
    },
    ended,
    close: () => controller.abort(),
  };
  openStreams.push(sse);
  return sse;
}

async function closeAllStreams() {
  const all = openStreams.splice(0);
  for (const sse of all) sse.close();
  await Promise.all(all.map((sse) => sse.ended));
}

function parseBody(request: TRecordedRequest): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(request.body) as unknown;
    return typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON-RPC responses (answers to the backend's own requests) the recording backend got since `from`. */
const answersSince = (from: number) =>
  recording.requests.slice(from).flatMap((request) => {
    const body = parseBody(request);
    return request.method === "POST" && body && !("method" in body) && ("result" in body || "error" in body)
      ? [{ body, sessionId: request.headers["mcp-session-id"] }]
      : [];
  });

/** The backend session the recording backend ran `echo` with this text in. */
function sessionOfEcho(text: string): string {
  const calls = recording.toolCalls.filter((call) => call.tool === "echo" && call.arguments.text === text);
  expect(calls, text).toHaveLength(1);
  const sessionId = calls[0]?.sessionId;
  expect(typeof sessionId, text).toBe("string");
  return sessionId as string;
}

// ─── 1. Users, instances and credentials on the same backends ────────────────────────────────────

describe("two users of the same backend URLs", () => {
  it("2025 clients: lists, calls and the backends' requests (mid-call and on the GET stream) reach only their own client", async () => {
    const a = await connectLegacyClient({ url: aliceBoth.url, bearer: aliceBoth.bearer });
    const b = await connectLegacyClient({ url: bobBoth.url, bearer: bobBoth.bearer });
    try {
      const aliceSlugs = [aliceConn.recording.slug, aliceConn.modern.slug];
      const bobSlugs = [bobConn.recording.slug, bobConn.modern.slug];
      expect(aliceSlugs.some((slug) => bobSlugs.includes(slug))).toBe(false);
      const [aTools, bTools] = await Promise.all([a.client.listTools(), b.client.listTools()]);
      const prefixes = (listed: { tools: { name: string }[] }) => [
        ...new Set(listed.tools.map((tool) => tool.name.split("__")[0])),
      ];
      expect(prefixes(aTools).sort()).toEqual([...aliceSlugs].sort());
      expect(prefixes(bTools).sort()).toEqual([...bobSlugs].sort());

      // Calls at the same time: each gets its own answer, from its own backend session.
      const [aEcho, bEcho] = await Promise.all([
        a.client.callTool({ name: `${aliceConn.recording.slug}__echo`, arguments: { text: "iso-alice-1" } }),
        b.client.callTool({ name: `${bobConn.recording.slug}__echo`, arguments: { text: "iso-bob-1" } }),
      ]);
      expect(readResultText(aEcho)).toBe("iso-alice-1");
      expect(readResultText(bEcho)).toBe("iso-bob-1");
      expect(sessionOfEcho("iso-alice-1")).not.toBe(sessionOfEcho("iso-bob-1"));

      // Both backends ask mid-call (the 2025 one in its session, the 2026-07-28 one by an input request),
      // for both users at once: each client is asked exactly for its own calls.
      const results = await Promise.all([
        a.client.callTool({ name: `${aliceConn.recording.slug}__ask_name`, arguments: {} }),
        b.client.callTool({ name: `${bobConn.recording.slug}__ask_name`, arguments: {} }),
        a.client.callTool({ name: `${aliceConn.modern.slug}__ask_name`, arguments: {} }),
      ]);
      for (const result of results) expect(readResultText(result)).toBe(`Hello, ${ELICITED_NAME}`);
      expect(a.asked.map((entry) => entry.method)).toEqual(["elicitation/create", "elicitation/create"]);
      expect(b.asked.map((entry) => entry.method)).toEqual(["elicitation/create"]);
      const askSessions = recording.toolCalls
        .filter((call) => call.tool === "ask_name")
        .map((call) => call.sessionId);
      expect(askSessions).toHaveLength(2);
      expect(askSessions[0]).not.toBe(askSessions[1]);

      // On the GET stream: alice's roots change makes her backend session ask for roots; only she is asked.
      const rootsAsked = (asked: typeof a.asked) => asked.filter((entry) => entry.method === "roots/list");
      const answersBefore = recording.rootsAnswers.length;
      await triggerUntil(
        () => a.client.sendRootsListChanged(),
        () => rootsAsked(a.asked).length > 0,
        "roots/list reaching alice's client",
      );
      await until(() => recording.rootsAnswers.length > answersBefore, 5_000, "alice's roots at the backend");
      expect(recording.rootsAnswers.slice(answersBefore)[0]).toMatchObject({
        roots: [{ uri: "file:///projects/project" }],
      });
      expect(rootsAsked(b.asked)).toEqual([]);
      expect(b.asked).toHaveLength(1);
    } finally {
      await Promise.allSettled([a.client.close(), b.client.close()]);
    }
  }, 60_000);

  it("2026-07-28 clients: lists, calls and the backends' input requests reach only their own client", async () => {
    const a = await connectModernClient({ url: aliceBothKey.url, bearer: aliceBothKey.bearer });
    const b = await connectModernClient({ url: bobBothKey.url, bearer: bobBothKey.bearer });
    try {
      expect(a.client.getProtocolEra()).toBe("modern");
      const list = async (client: typeof a.client) =>
        (await client.listTools(undefined, { cacheMode: "bypass" })).tools.map((tool) => tool.name);
      const [aNames, bNames] = await Promise.all([list(a.client), list(b.client)]);
      for (const name of [`${aliceConn.recording.slug}__echo`, `${aliceConn.modern.slug}__echo`]) {
        expect(aNames).toContain(name);
        expect(bNames).not.toContain(name);
      }
      for (const name of [`${bobConn.recording.slug}__echo`, `${bobConn.modern.slug}__echo`]) {
        expect(bNames).toContain(name);
        expect(aNames).not.toContain(name);
      }

      const askBefore = recording.toolCalls.filter((call) => call.tool === "ask_name").length;
      const results = await Promise.all([
        a.client.callTool({ name: `${aliceConn.recording.slug}__ask_name`, arguments: {} }),
        b.client.callTool({ name: `${bobConn.recording.slug}__ask_name`, arguments: {} }),
        b.client.callTool({ name: `${bobConn.modern.slug}__ask_name`, arguments: {} }),
      ]);
      for (const result of results) expect(readResultText(result)).toBe(`Hello, ${ELICITED_NAME}`);
      expect(a.asked.map((entry) => entry.method)).toEqual(["elicitation/create"]);
      expect(b.asked.map((entry) => entry.method)).toEqual(["elicitation/create", "elicitation/create"]);
      const askSessions = recording.toolCalls
        .filter((call) => call.tool === "ask_name")
        .slice(askBefore)
        .map((call) => call.sessionId);
      expect(askSessions).toHaveLength(2);
      expect(askSessions[0]).not.toBe(askSessions[1]);
    } finally {
      await Promise.allSettled([a.client.close(), b.client.close()]);
    }
  }, 60_000);

  it("2026-07-28 clients share a 2025 backend session only within one instance, credential and capabilities", async () => {
    const echo = async (
      target: TTarget,
      text: string,
      capabilities: Record<string, unknown> = ELICITATION,
    ) => {
      const answer = await callModern(target, { id: text, name: "echo", arguments: { text }, capabilities });
      expect(answer.error, JSON.stringify(answer)).toBeUndefined();
      expect(readResultText(answer.result)).toBe(text);
      return sessionOfEcho(text);
    };
    const { key: secondKey } = await createApiKey({
      userId: alice.id,
      instanceId: aliceRec.instanceId,
      name: "second key",
      scopes: [ALL_SERVERS_SCOPE],
    });
    const otherClient = await issueInstanceCredentials({ userId: alice.id, instanceId: aliceRec.instanceId });
    // One OAuth client with a token for each of two instances of the user (both bundle the same connection).
    const { client: oauthClient } = await createTestAiClient();
    const tokenFor = async (instanceId: string) =>
      (
        await issueAccessToken({
          client: oauthClient,
          userId: alice.id,
          instanceId,
          scopes: [ALL_SERVERS_SCOPE],
        })
      ).accessToken;
    const sameClientHere = { ...aliceRec, bearer: await tokenFor(aliceRec.instanceId) };
    const sameClientThere = { ...aliceRecAgain, bearer: await tokenFor(aliceRecAgain.instanceId) };

    const token = await echo(aliceRec, "share-token-1");
    // Shared within one principal: the same credential's client, the same capabilities.
    expect(await echo(aliceRec, "share-token-2")).toBe(token);
    const key = await echo(aliceRecKey, "share-key-1");
    expect(await echo(aliceRecKey, "share-key-2")).toBe(key);
    const sameClient = await echo(sameClientHere, "share-same-client-1");
    const anotherTokenOfIt = { ...aliceRec, bearer: await tokenFor(aliceRec.instanceId) };
    expect(await echo(anotherTokenOfIt, "share-same-client-2")).toBe(sameClient);
    const sessions = {
      token,
      key,
      sameClient,
      secondKey: await echo({ ...aliceRec, bearer: secondKey }, "share-second-key"),
      otherOAuthClient: await echo({ ...aliceRec, bearer: otherClient.accessToken }, "share-other-client"),
      sameClientOtherInstance: await echo(sameClientThere, "share-same-client-other-instance"),
      otherInstance: await echo(aliceRecAgain, "share-other-instance"),
      otherCapabilities: await echo(aliceRec, "share-other-capabilities", { ...ELICITATION, sampling: {} }),
      otherUser: await echo(bobRec, "share-other-user"),
    };
    // Every other instance, credential, capability set or user: a backend session of its own.
    expect(new Set(Object.values(sessions)).size, JSON.stringify(sessions)).toBe(
      Object.keys(sessions).length,
    );

    // A 2025 client of the same instance has its own backend session too.
    const legacy = await openLegacy(aliceRec);
    const legacyEcho = await readRpcResponse(
      await legacy.post(toolCall("share-legacy", "echo", { text: "share-legacy" })),
      "share-legacy",
    );
    expect(readResultText(legacyEcho.result)).toBe("share-legacy");
    expect(Object.values(sessions)).not.toContain(sessionOfEcho("share-legacy"));
  });

  it("a 2025 backend's mid-call requests of two credentials of one user go each to its own backend session", async () => {
    // Each answer must reach the backend session that asked (the backends' ids repeat across sessions).
    const ask = (target: TTarget, id: string) => callModern(target, { id, name: "ask_name" });
    const askedBefore = recording.toolCalls.filter((call) => call.tool === "ask_name").length;
    const before = recording.requests.length;
    // One after the other, so the backend's record says which call is whose.
    const first = await ask(aliceRec, "two-ask-token");
    const second = await ask(aliceRecKey, "two-ask-key");
    const retry = async (target: TTarget, id: string, asked: TJsonRpcMessage, name: string) => {
      expect(asked.result?.resultType, JSON.stringify(asked)).toBe("input_required");
      const [key] = Object.keys(asked.result?.inputRequests as Record<string, unknown>);
      return callModern(target, {
        id,
        name: "ask_name",
        retry: {
          inputResponses: { [key as string]: { action: "accept", content: { name } } },
          requestState: asked.result?.requestState,
        },
      });
    };
    const [done1, done2] = await Promise.all([
      retry(aliceRec, "two-done-token", first, "Token"),
      retry(aliceRecKey, "two-done-key", second, "Key"),
    ]);
    expect(readResultText(done1.result)).toBe("Hello, Token");
    expect(readResultText(done2.result)).toBe("Hello, Key");
    const [tokenSession, keySession] = recording.toolCalls
      .filter((call) => call.tool === "ask_name")
      .slice(askedBefore)
      .map((call) => call.sessionId);
    expect(tokenSession).toEqual(expect.any(String));
    expect(keySession).not.toBe(tokenSession);
    const answers = answersSince(before).map((answer) => ({
      sessionId: answer.sessionId,
      name: (answer.body.result as { content?: { name?: string } } | undefined)?.content?.name,
    }));
    expect(answers).toHaveLength(2);
    expect(answers).toEqual(
      expect.arrayContaining([
        { sessionId: tokenSession, name: "Token" },
        { sessionId: keySession, name: "Key" },
      ]),
    );
  });
});

// ─── 2. and 3. resources/subscribe ───────────────────────────────────────────────────────────────

describe("resources/subscribe of a 2025 client", () => {
  it("is refused with 403 for a server outside the token's scopes, and that backend hears nothing", async () => {
    const scoped = await openInstance(
      alice.id,
      [aliceConn.recording.connectionId, aliceConn.modern.connectionId],
      [`mcp:access:${aliceConn.modern.slug}`],
    );
    const session = await openLegacy(scoped.token);
    const outside = `tumiki.${aliceConn.recording.slug}.recording://info`;
    const before = recording.requests.length;
    const refused = await session.post({
      jsonrpc: "2.0",
      id: "sub-outside",
      method: "resources/subscribe",
      params: { uri: outside },
    });
    const text = await refused.text();
    expect(refused.status, text).toBe(403);
    const challenge = refused.headers.get("www-authenticate") ?? "";
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`scope="mcp:access:${aliceConn.recording.slug}"`);
    expect(JSON.parse(text)).toMatchObject({ error: "insufficient_scope" });
    expect(recording.requests.slice(before)).toEqual([]);

    // Inside the scopes it is taken.
    const inside = await readRpcResponse(
      await session.post({
        jsonrpc: "2.0",
        id: "sub-inside",
        method: "resources/subscribe",
        params: { uri: `tumiki.${aliceConn.modern.slug}.note://subscribed` },
      }),
      "sub-inside",
    );
    expect(inside.error, JSON.stringify(inside)).toBeUndefined();

    // With a token for every server of the instance, the same request does reach the backend.
    const unscoped = await openInstance(alice.id, [
      aliceConn.recording.connectionId,
      aliceConn.modern.connectionId,
    ]);
    const full = await openLegacy(unscoped.token);
    const reachedBefore = recording.requests.length;
    const reached = await full.post({
      jsonrpc: "2.0",
      id: "sub-full",
      method: "resources/subscribe",
      params: { uri: outside },
    });
    expect(reached.status).not.toBe(403);
    await reached.body?.cancel();
    expect(
      recording.requests
        .slice(reachedBefore)
        .filter((request) => request.rpcMethod === "resources/subscribe"),
    ).toHaveLength(1);
  });

  it(`refuses the ${MAX_SESSION_SUBSCRIPTIONS + 1}st distinct subscription of a session with -32600; held ones and other sessions are unaffected`, async () => {
    // Its own user: this test alone sends a few hundred requests (the per-user rate limit is 1000/h).
    const carol = await createTestUser();
    const carolMod = await connectNone(carol.id, "Modern", modern.mcpUrl);
    const { token: target } = await openInstance(carol.id, [carolMod.connectionId]);
    const session = await openLegacy(target);
    const subscribe = async (id: string, uri: string, method = "resources/subscribe") =>
      readRpcResponse(await session.post({ jsonrpc: "2.0", id, method, params: { uri } }), id);

    for (let index = 1; index <= MAX_SESSION_SUBSCRIPTIONS; index += 1) {
      const answer = await subscribe(`cap-${index}`, `note://items/${index}`);
      expect(answer.error, `subscription ${index}: ${JSON.stringify(answer)}`).toBeUndefined();
    }
    const overResponse = await session.post({
      jsonrpc: "2.0",
      id: "cap-over",
      method: "resources/subscribe",
      params: { uri: `note://items/${MAX_SESSION_SUBSCRIPTIONS + 1}` },
    });
    expect(overResponse.status).toBe(200);
    const over = await readRpcResponse(overResponse, "cap-over");
    expect(over.result).toBeUndefined();
    expect(over.error?.code, JSON.stringify(over)).toBe(-32600);
    expect(over.error?.message).toContain(String(MAX_SESSION_SUBSCRIPTIONS));

    // Re-subscribing what is held is no new subscription.
    for (const uri of ["note://items/1", `note://items/${MAX_SESSION_SUBSCRIPTIONS}`]) {
      const again = await subscribe(`cap-again-${uri}`, uri);
      expect(again.error, JSON.stringify(again)).toBeUndefined();
    }
    // The refused one stays refused; unsubscribing one frees a place for it.
    const still = await subscribe("cap-still", `note://items/${MAX_SESSION_SUBSCRIPTIONS + 1}`);
    expect(still.error?.code).toBe(-32600);
    const dropped = await subscribe("cap-drop", "note://items/1", "resources/unsubscribe");
    expect(dropped.error, JSON.stringify(dropped)).toBeUndefined();
    const freed = await subscribe("cap-freed", `note://items/${MAX_SESSION_SUBSCRIPTIONS + 1}`);
    expect(freed.error, JSON.stringify(freed)).toBeUndefined();

    // The cap is the session's: another session of the same user subscribes as it likes.
    const other = await openLegacy(target);
    const fresh = await readRpcResponse(
      await other.post({
        jsonrpc: "2.0",
        id: "cap-other",
        method: "resources/subscribe",
        params: { uri: `note://items/${MAX_SESSION_SUBSCRIPTIONS + 2}` },
      }),
      "cap-other",
    );
    expect(fresh.error, JSON.stringify(fresh)).toBeUndefined();
  }, 120_000);
});

// ─── 4. A "continue" requestState elsewhere ───────────────────────────────────────────────────────

describe("a 2025 backend's mid-call request suspended for a 2026-07-28 client", () => {
  it("refuses its requestState from another user, on another instance, and with another credential of the instance; the backend gets no answer", async () => {
    const callsBefore = recording.toolCalls.filter((call) => call.tool === "ask_name").length;
    const first = await callModern(aliceRec, { id: "cont-1", name: "ask_name" });
    expect(first.result?.resultType, JSON.stringify(first)).toBe("input_required");
    const inputRequests = first.result?.inputRequests as Record<string, TJsonRpcMessage>;
    const [key] = Object.keys(inputRequests);
    expect(inputRequests[key as string]).toMatchObject({ method: "elicitation/create" });
    const state = first.result?.requestState as string;
    expect(typeof state).toBe("string");
    const retryWith = (name: string) => ({
      inputResponses: { [key as string]: { action: "accept", content: { name } } },
      requestState: state,
    });

    const before = recording.requests.length;
    for (const [label, target] of [
      ["another user", bobRec],
      ["another instance of the user", aliceRecAgain],
      // The call runs in the backend session of the credential that started it: no other may go on with it.
      ["an API key of the same instance", aliceRecKey],
    ] as const) {
      const refused = await callModern(target, {
        id: `cont-${label}`,
        name: "ask_name",
        retry: retryWith("Mallory"),
      });
      expect(refused.error?.code, `${label}: ${JSON.stringify(refused)}`).toBe(-32602);
      expect(refused.result, label).toBeUndefined();
    }
    expect(answersSince(before)).toEqual([]);
    expect(recording.requests.slice(before).filter((request) => request.rpcMethod === "tools/call")).toEqual(
      [],
    );

    // The suspended call still takes its own client's answer, once, in the session that asked.
    const done = await callModern(aliceRec, { id: "cont-2", name: "ask_name", retry: retryWith("Ada") });
    expect(done.error, JSON.stringify(done)).toBeUndefined();
    expect(readResultText(done.result)).toBe("Hello, Ada");
    const asked = recording.toolCalls.filter((call) => call.tool === "ask_name").slice(callsBefore);
    expect(asked).toHaveLength(1);
    const answers = answersSince(before);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body.result).toEqual({ action: "accept", content: { name: "Ada" } });
    expect(answers[0]?.sessionId).toBe(asked[0]?.sessionId);
  });

  it("posts the answers of a round to the backend once, however often and at once the state is retried", async () => {
    const first = await callModern(aliceRec, { id: "once-1", name: "ask_name" });
    expect(first.result?.resultType, JSON.stringify(first)).toBe("input_required");
    const [key] = Object.keys(first.result?.inputRequests as Record<string, unknown>);
    const retry = {
      inputResponses: { [key as string]: { action: "accept", content: { name: "Once" } } },
      requestState: first.result?.requestState as string,
    };
    const before = recording.requests.length;
    const answers = await Promise.all(
      ["once-2", "once-3", "once-4"].map((id) => callModern(aliceRec, { id, name: "ask_name", retry })),
    );
    for (const answer of answers)
      expect(readResultText(answer.result), JSON.stringify(answer)).toBe("Hello, Once");
    const again = await callModern(aliceRec, { id: "once-5", name: "ask_name", retry });
    expect(readResultText(again.result)).toBe("Hello, Once");
    expect(answersSince(before)).toHaveLength(1);
  });
});

// ─── 5. A "collect" relayed id answered from another session ──────────────────────────────────────

describe("a 2026-07-28 backend's input request relayed to a 2025 client", () => {
  it("refuses the answer from another 2025 session of the same user with 400; the call completes with its own client's answer", async () => {
    const modernCalls = () =>
      modern
        .requests()
        .filter(
          (request) =>
            request.rpcMethod === "tools/call" &&
            (request.body as { params?: { name?: string } }).params?.name === "ask_name",
        );
    const callsBefore = modernCalls().length;
    const client = await openLegacy(aliceMod);
    const call = await client.post(toolCall("collect-1", "ask_name"));
    expect(call.status).toBe(200);
    const stream = readAsTheyCome(call);
    try {
      const request = await stream.next();
      expect(request).toMatchObject({ method: "elicitation/create" });
      const relayedId = request.id as string;
      expect(typeof relayedId).toBe("string");
      const answer = (name: string) => ({
        jsonrpc: "2.0",
        id: relayedId,
        result: { action: "accept", content: { name } },
      });

      const sameInstance = await openLegacy(aliceMod);
      const otherInstance = await openLegacy(aliceBoth);
      const otherUser = await openLegacy(bobBoth);
      for (const [label, session] of [
        ["another session of the user", sameInstance],
        ["a session of the user on another instance", otherInstance],
        ["another user's session", otherUser],
      ] as const) {
        const refused = await session.post(answer("Mallory"));
        const text = await refused.text();
        expect(refused.status, `${label}: ${text}`).toBe(400);
        expect(JSON.parse(text), label).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
      }
      // Nothing further reached the client meanwhile, and the backend was not retried.
      expect(stream.seen).toHaveLength(1);
      expect(modernCalls().length).toBe(callsBefore + 1);

      const delivered = await client.post(answer("Ada"));
      expect(delivered.status).toBe(202);
      const final = await stream.next();
      expect(final).toMatchObject({ id: "collect-1" });
      expect(readResultText(final.result)).toBe("Hello, Ada");
    } finally {
      await stream.close();
    }
    const calls = modernCalls().slice(callsBefore);
    expect(calls).toHaveLength(2);
    expect((calls[1]?.body as { params: Record<string, unknown> }).params.inputResponses).toEqual({
      name: { action: "accept", content: { name: "Ada" } },
    });
  });
});

// ─── 6. Last-Event-ID of another session's GET stream ─────────────────────────────────────────────

describe("a Last-Event-ID of one 2025 session's GET stream", () => {
  it("replays that session's events only in that session, not in another session of the user or another user's", async () => {
    const owner = await openLegacy(aliceRec, { roots: { listChanged: true } });
    const stream = await openSessionStream(owner);
    expect(stream.status).toBe(200);
    const priming = await stream.waitFor(() => true, "the priming event");
    expect(priming.id).toMatch(/^s\./);
    const notifyRoots = async () => {
      const response = await owner.post({ jsonrpc: "2.0", method: "notifications/roots/list_changed" });
      expect(response.status).toBe(202);
    };
    const askedRoots = (sse: TSse) => sse.events.filter((event) => event.message?.method === "roots/list");
    await triggerUntil(notifyRoots, () => askedRoots(stream).length > 0, "roots/list on the owner's stream");
    const [asked] = askedRoots(stream);
    expect(asked?.id).toMatch(/^s\./);
    stream.close();
    await stream.ended;

    const strangers = [
      await openLegacy(aliceRec, { roots: { listChanged: true } }),
      await openLegacy(aliceRecAgain, { roots: { listChanged: true } }),
      await openLegacy(bobRec, { roots: { listChanged: true } }),
    ];
    const foreign: TSse[] = [];
    for (const stranger of strangers) {
      const sse = await openSessionStream(stranger, priming.id);
      expect(sse.status).toBe(200);
      await sse.waitFor(() => true, "a stranger's priming event");
      foreign.push(sse);
    }
    // The owner, resuming from the same id, is given the event again.
    const resumed = await openSessionStream(owner, priming.id);
    const replayed = await resumed.waitFor(
      (event) => event.message?.method === "roots/list",
      "the owner's replayed roots/list",
    );
    expect(replayed.id).toBe(asked?.id);
    for (const sse of foreign) {
      expect(sse.messages()).toEqual([]);
      expect(sse.events.map((event) => event.id)).not.toContain(asked?.id);
    }
    // Answer the backend's request, so it is not left waiting.
    const answered = await owner.post({
      jsonrpc: "2.0",
      id: replayed.message?.id,
      result: { roots: [] },
    });
    expect(answered.status).toBe(202);
    await closeAllStreams();
  }, 30_000);
});

// ─── 7. A late answer after the backend session was re-opened ─────────────────────────────────────

describe("an answer to a 2025 backend's request that arrives after its backend session was re-opened", () => {
  it("is taken with 202 but never posted to the new backend session, even where the new session reuses the id", async () => {
    const client = await openLegacy(aliceRec);
    const askedBefore = recording.toolCalls.filter((call) => call.tool === "ask_name").length;
    const firstCall = readAsTheyCome(await client.post(toolCall("late-1", "ask_name")));
    const stale = await firstCall.next();
    expect(stale).toMatchObject({ method: "elicitation/create" });

    // The backend restarts: its sessions are gone, the call with them.
    await recording.forgetSessions();
    const firstEnd = await firstCall.next();
    expect(firstEnd.id).toBe("late-1");
    await firstCall.close();

    // The next call re-opens a backend session, whose server asks again (its first request: the same id).
    const secondCall = readAsTheyCome(await client.post(toolCall("late-2", "ask_name")));
    try {
      const fresh = await secondCall.next();
      expect(fresh).toMatchObject({ method: "elicitation/create" });
      expect(fresh.id).not.toBe(stale.id);
      const sessions = recording.toolCalls
        .filter((call) => call.tool === "ask_name")
        .slice(askedBefore)
        .map((call) => call.sessionId);
      expect(sessions).toHaveLength(2);
      expect(sessions[1]).not.toBe(sessions[0]);

      const before = recording.requests.length;
      const late = await client.post({
        jsonrpc: "2.0",
        id: stale.id,
        result: { action: "accept", content: { name: "Stale" } },
      });
      expect(late.status).toBe(202);
      expect(await late.text()).toBe("");
      expect(answersSince(before)).toEqual([]);

      const answered = await client.post({
        jsonrpc: "2.0",
        id: fresh.id,
        result: { action: "accept", content: { name: "Fresh" } },
      });
      expect(answered.status).toBe(202);
      const final = await secondCall.next();
      expect(final).toMatchObject({ id: "late-2" });
      expect(readResultText(final.result)).toBe("Hello, Fresh");
      const answers = answersSince(before);
      expect(answers).toHaveLength(1);
      expect(answers[0]?.sessionId).toBe(sessions[1]);
    } finally {
      await secondCall.close();
    }
  }, 30_000);
});

// ─── 8. Era verdicts ──────────────────────────────────────────────────────────────────────────────

/** A backend that answers every request with 429 (and records the JSON-RPC methods it was asked). */
async function startRateLimitedBackend() {
  const methods: string[] = [];
  const http: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      try {
        methods.push(String((JSON.parse(body) as { method?: unknown }).method));
      } catch {
        methods.push(`${req.method} (no JSON)`);
      }
      res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
      res.end(JSON.stringify({ error: "rate_limited" }));
    });
  });
  const port = await new Promise<number>((resolve) => {
    http.listen(0, "localhost", () => resolve((http.address() as AddressInfo).port));
  });
  return {
    mcpUrl: `http://localhost:${port}/mcp`,
    hostPort: `localhost:${port}`,
    methods,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

describe("a backend's era verdict through the route", () => {
  it("heals a poisoned verdict for a 2026-07-28-only backend: 2026-07-28 and 2025 clients are served", async () => {
    const strict = await startModernBackend({ legacy: "reject", name: "iso-era-strict" });
    const restore = allowBackendHosts([strict.hostPort]);
    try {
      const server = await connectNone(alice.id, "Strict era", strict.mcpUrl);
      const { token: target } = await openInstance(alice.id, [server.connectionId]);
      const poisons: [string, Partial<TBackendEra>][] = [
        ["refuses both eras", { modern: false, legacy: "refused" }],
        ["not modern, 2025 unknown", { modern: false }],
        ["not modern, 2025 sessions", { modern: false, legacy: "sessions" }],
      ];
      for (const [label, poison] of poisons) {
        await forgetBackendEra(strict.mcpUrl);
        await recordBackendEra({ url: strict.mcpUrl, learned: poison });
        expect(await readBackendEra(strict.mcpUrl), label).toMatchObject(poison);
        const text = `era ${label}`;
        const answer = await callModern(target, { id: `era-${label}`, name: "echo", arguments: { text } });
        expect(answer.error, `${label}: ${JSON.stringify(answer)}`).toBeUndefined();
        expect(answer.result?.resultType, label).toBe("complete");
        expect(readResultText(answer.result), label).toBe(text);
        expect((await readBackendEra(strict.mcpUrl)).modern, label).toBe(true);
      }

      // A 2025 client too, behind a verdict that the backend speaks neither era.
      await forgetBackendEra(strict.mcpUrl);
      await recordBackendEra({ url: strict.mcpUrl, learned: { modern: false, legacy: "refused" } });
      const legacy = await openLegacy(target);
      const legacyAnswer = await readRpcResponse(
        await legacy.post(toolCall("era-legacy", "echo", { text: "era legacy" })),
        "era-legacy",
      );
      expect(legacyAnswer.error, JSON.stringify(legacyAnswer)).toBeUndefined();
      expect(readResultText(legacyAnswer.result)).toBe("era legacy");
      expect(await readBackendEra(strict.mcpUrl)).toEqual({ modern: true, legacy: "refused" });
    } finally {
      restore();
      await strict.close();
    }
  }, 30_000);

  it("leaves no verdict when the backend answers server/discover with 429", async () => {
    const limited = await startRateLimitedBackend();
    const restore = allowBackendHosts([limited.hostPort]);
    try {
      const server = await connectNone(alice.id, "Busy", limited.mcpUrl);
      const { token: target } = await openInstance(alice.id, [server.connectionId]);
      await forgetBackendEra(limited.mcpUrl);
      const answer = await callModern(target, { id: "busy-1", name: "echo", arguments: { text: "busy" } });
      // Not served: an error, or a failed tool result.
      expect(answer.error !== undefined || answer.result?.isError === true, JSON.stringify(answer)).toBe(
        true,
      );
      expect(limited.methods).toContain("server/discover");
      expect(await readBackendEra(limited.mcpUrl)).toEqual({ modern: null, legacy: null });
    } finally {
      restore();
      await limited.close();
    }
  });
});
