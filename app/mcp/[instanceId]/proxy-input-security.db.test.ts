import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { INPUT_LIFETIME_MS } from "@/server/mcp/input/input-lifetime";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  allowBackendHosts,
  createProxyInstance,
  hostPortOf,
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
  MODERN,
  openLegacy,
  readAsTheyCome,
} from "@/server/testing/raw-mcp-requests";
import { startEverythingServer, type TEverythingServer } from "@/server/testing/start-everything-server";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// What a client hands back when a backend asked it for input is attacker-controlled: a 2026-07-28
// client's `requestState` (Tumiki's sealed state of a multi round-trip request) and a 2025 client's
// answer to a request Tumiki relayed (its id is Tumiki's sealed id). These tests drive every era pair
// over real HTTP and check both that the honest round trip completes and that a tampered, foreign,
// expired or misdirected value is refused with nothing reaching the backend.
// Backends: the 2026-07-28 fixture (@modelcontextprotocol/server 2.x) as "reject" (2026-07-28 only)
// and as "sessions" (2026-07-28, and 2025 in real sessions that send elicitation/create mid-call), and
// server-everything (2025 only, sessions) whose trigger-elicitation-request asks mid-call.

type TTarget = { url: string; bearer: string };

let proxy: TTumikiProxy;
let reject: TModernBackend;
let sessions: TModernBackend;
let everything: TEverythingServer;
const undo: (() => void)[] = [];

/**
 * User A: the 2026-only fixture; a second instance bundling the same connection; the sessions fixture;
 * server-everything.
 */
let aReject: TTarget;
let aRejectAgain: TTarget;
let aSessions: TTarget;
let aEverything: TTarget;
/** User B: their own connections to the same two fixtures. */
let bReject: TTarget;
let bSessions: TTarget;

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  [reject, sessions, everything] = await Promise.all([
    startModernBackend({ legacy: "reject", name: "input-reject" }),
    startModernBackend({ legacy: "sessions", name: "input-sessions" }),
    startEverythingServer(),
  ]);
  undo.push(allowBackendHosts([reject.hostPort, sessions.hostPort, hostPortOf(everything.mcpUrl)]));

  const connect = (userId: string, name: string, url: string) =>
    createServerConnection({ userId, name, url, authType: "NONE", status: "CONNECTED" });
  const open = async (userId: string, connectionIds: string[]) => {
    const instance = await createProxyInstance({ userId, connectionIds });
    const { accessToken } = await issueInstanceCredentials({ userId, instanceId: instance.id });
    return { url: proxy.mcpUrl(instance.id), bearer: accessToken };
  };

  const a = await createTestUser();
  const aRejectConnection = await connect(a.id, "Strict", reject.mcpUrl);
  aReject = await open(a.id, [aRejectConnection.connectionId]);
  aRejectAgain = await open(a.id, [aRejectConnection.connectionId]);
  aSessions = await open(a.id, [(await connect(a.id, "Dual", sessions.mcpUrl)).connectionId]);
  aEverything = await open(a.id, [(await connect(a.id, "Everything", everything.mcpUrl)).connectionId]);

  const b = await createTestUser();
  bReject = await open(b.id, [(await connect(b.id, "Strict", reject.mcpUrl)).connectionId]);
  bSessions = await open(b.id, [(await connect(b.id, "Dual", sessions.mcpUrl)).connectionId]);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.allSettled([reject?.close(), sessions?.close(), everything?.close()]);
  for (const restore of undo.reverse()) restore();
});

// ─── Helpers ──────────────────────────────────────────────────────────────────────────────────────

/** One character of the sealed value replaced, in the middle (every bit of a middle base64 digit counts). */
function tamper(sealed: string): string {
  const at = Math.floor(sealed.length / 2);
  const original = sealed[at];
  const replacement = original === "A" ? "B" : "A";
  return `${sealed.slice(0, at)}${replacement}${sealed.slice(at + 1)}`;
}

/** The fixture's recorded tools/call requests for one of its tools. */
const toolCallsAt = (backend: TModernBackend, tool: string) =>
  backend
    .requests()
    .filter(
      (request) =>
        request.rpcMethod === "tools/call" &&
        (request.body as { params?: { name?: string } }).params?.name === tool,
    );

const paramsOf = (request: { body: unknown } | undefined) =>
  ((request?.body as { params?: Record<string, unknown> } | undefined)?.params ?? {}) as Record<
    string,
    unknown
  >;

/** An answer to an elicitation/create form: strings for every field, `true` for `confirm`. */
function formAnswer(request: TJsonRpcMessage, values: Record<string, unknown>) {
  const schema = (request.params?.requestedSchema ?? {}) as { properties?: Record<string, unknown> };
  const fields = Object.keys(schema.properties ?? {});
  return {
    action: "accept",
    content: Object.fromEntries(fields.map((field) => [field, values[field] ?? `${field}-answer`])),
  };
}

// ─── 2026-07-28 client, 2026-07-28 backend: Tumiki's sealed requestState ──────────────────────────

describe("requestState of a 2026-07-28 client (2026-07-28 backend)", () => {
  const ACCEPT_ADA = { name: { action: "accept", content: { name: "Ada" } } };

  /** A first ask_name round: Tumiki's state. */
  async function askName(target: TTarget, id: string) {
    const answer = await callModern(target, { id, name: "ask_name" });
    expect(answer.result?.resultType, JSON.stringify(answer)).toBe("input_required");
    const state = answer.result?.requestState;
    expect(typeof state).toBe("string");
    return { answer, state: state as string };
  }

  /**
   * What of a client's requests reached the backend: everything but the tools/list Tumiki itself sends to
   * learn a server's tools for the instance's tool controls (it carries nothing of the client's request).
   */
  const heardOfClients = () =>
    reject.requests().filter((request) => (request.body as { method?: unknown }).method !== "tools/list");

  /** A retry that must be refused with -32602 before anything of it reaches the backend. */
  async function expectRefusedRetry(target: TTarget, request: Parameters<typeof callModern>[1]) {
    const before = heardOfClients().length;
    const answer = await callModern(target, request);
    expect(answer.error?.code, JSON.stringify(answer)).toBe(-32602);
    expect(answer.id).toBe(request.id);
    expect(answer.result).toBeUndefined();
    expect(heardOfClients().length).toBe(before);
  }

  it("hands out its own state, not the backend's, and completes the retry", async () => {
    const before = toolCallsAt(reject, "ask_name").length;
    const { answer, state } = await askName(aReject, "ask-1");
    expect(answer.result?.inputRequests).toMatchObject({
      name: { method: "elicitation/create", params: { message: "What is your name?" } },
    });
    // The fixture's own states are "v1.<payload>.<mac>" (createRequestStateCodec).
    expect(state).not.toMatch(/^v1\./);

    const done = await callModern(aReject, {
      id: "ask-2",
      name: "ask_name",
      retry: { inputResponses: ACCEPT_ADA, requestState: state },
    });
    expect(done.error, JSON.stringify(done)).toBeUndefined();
    expect(done.result?.resultType).toBe("complete");
    expect(readResultText(done.result)).toBe("Hello, Ada");

    const calls = toolCallsAt(reject, "ask_name").slice(before);
    expect(calls).toHaveLength(2);
    expect(paramsOf(calls[0])).not.toHaveProperty("inputResponses");
    expect(paramsOf(calls[1]).inputResponses).toEqual(ACCEPT_ADA);
    // Tumiki's state never reaches the backend: it is unwrapped into the backend's own (none here).
    for (const call of calls) expect(call.rawBody).not.toContain(state);
    expect(paramsOf(calls[1]).requestState).toBeUndefined();
  });

  it("wraps the backend's own state and gives it back unchanged on the retry", async () => {
    const before = toolCallsAt(reject, "two_questions").length;
    const first = await callModern(aReject, { id: "tq-1", name: "two_questions" });
    expect(first.result?.resultType).toBe("input_required");
    const second = await callModern(aReject, {
      id: "tq-2",
      name: "two_questions",
      retry: {
        inputResponses: {
          color: { action: "accept", content: { color: "red" } },
          animal: { action: "accept", content: { animal: "cat" } },
        },
        requestState: first.result?.requestState,
      },
    });
    expect(second.result?.resultType, JSON.stringify(second)).toBe("input_required");
    const state = second.result?.requestState as string;
    expect(typeof state).toBe("string");
    expect(state).not.toMatch(/^v1\./);

    const third = await callModern(aReject, {
      id: "tq-3",
      name: "two_questions",
      retry: {
        inputResponses: { confirm: { action: "accept", content: { confirm: true } } },
        requestState: state,
      },
    });
    expect(readResultText(third.result)).toBe("red cat (confirmed: true)");

    const calls = toolCallsAt(reject, "two_questions").slice(before);
    expect(calls).toHaveLength(3);
    // The backend got its own HMAC-signed state (which it verified, or it would not have confirmed).
    const backendState = paramsOf(calls[2]).requestState;
    expect(backendState).toMatch(/^v1\./);
    expect(backendState).not.toBe(state);
    expect(calls[2]?.rawBody).not.toContain(state);
  });

  it("refuses a state with one character changed, and the backend hears nothing", async () => {
    const { state } = await askName(aReject, "tamper-1");
    await expectRefusedRetry(aReject, {
      id: "tamper-2",
      name: "ask_name",
      retry: { inputResponses: ACCEPT_ADA, requestState: tamper(state) },
    });
  });

  it("refuses a state presented by another user, and the backend hears nothing", async () => {
    const { state } = await askName(aReject, "foreign-1");
    await expectRefusedRetry(bReject, {
      id: "foreign-2",
      name: "ask_name",
      retry: { inputResponses: ACCEPT_ADA, requestState: state },
    });
  });

  it("refuses a state presented on another instance of the same user, and the backend hears nothing", async () => {
    const { state } = await askName(aReject, "sibling-1");
    await expectRefusedRetry(aRejectAgain, {
      id: "sibling-2",
      name: "ask_name",
      retry: { inputResponses: ACCEPT_ADA, requestState: state },
    });
  });

  it("refuses a state on a request with other arguments (request digest); the same arguments complete", async () => {
    const sampling = { sampling: {} };
    const first = await callModern(aReject, {
      id: "digest-1",
      name: "summarize",
      arguments: { text: "the original text" },
      capabilities: sampling,
    });
    expect(first.result?.resultType, JSON.stringify(first)).toBe("input_required");
    const retry = {
      inputResponses: {
        summary: { role: "assistant", model: "test-model", content: { type: "text", text: "short" } },
      },
      requestState: first.result?.requestState,
    };
    await expectRefusedRetry(aReject, {
      id: "digest-2",
      name: "summarize",
      arguments: { text: "another text" },
      capabilities: sampling,
      retry,
    });
    const done = await callModern(aReject, {
      id: "digest-3",
      name: "summarize",
      arguments: { text: "the original text" },
      capabilities: sampling,
      retry,
    });
    expect(readResultText(done.result)).toBe("short");
  });

  it("refuses a state meant for another tool of the same server, and the backend hears nothing", async () => {
    const { state } = await askName(aReject, "other-tool-1");
    await expectRefusedRetry(aReject, {
      id: "other-tool-2",
      name: "two_questions",
      retry: { inputResponses: ACCEPT_ADA, requestState: state },
    });
  });

  it("refuses an expired state, and the backend hears nothing; just before expiry it completes", async () => {
    const { state } = await askName(aReject, "expired-1");
    const realNow = Date.now.bind(Date);
    const later = vi.spyOn(Date, "now");
    try {
      later.mockImplementation(() => realNow() + INPUT_LIFETIME_MS + 5_000);
      await expectRefusedRetry(aReject, {
        id: "expired-2",
        name: "ask_name",
        retry: { inputResponses: ACCEPT_ADA, requestState: state },
      });
      later.mockImplementation(() => realNow() + INPUT_LIFETIME_MS - 60_000);
      const done = await callModern(aReject, {
        id: "expired-3",
        name: "ask_name",
        retry: { inputResponses: ACCEPT_ADA, requestState: state },
      });
      expect(readResultText(done.result)).toBe("Hello, Ada");
    } finally {
      later.mockRestore();
    }
  });
});

// ─── 2025 client, 2025 backend session: Tumiki's sealed ids of relayed requests ───────────────────

describe("relayed request ids of a 2025 client (2025 backend session)", () => {
  it("relays the backend's request under an id of its own, refuses forged or foreign answers, and delivers the real one", async () => {
    const client = await openLegacy(aSessions);
    const call = await client.post({
      jsonrpc: "2.0",
      id: "relay-1",
      method: "tools/call",
      params: { name: "ask_name", arguments: {} },
    });
    expect(call.status).toBe(200);
    const stream = readAsTheyCome(call);
    try {
      const request = await stream.next();
      expect(request).toMatchObject({
        method: "elicitation/create",
        params: { message: "What is your name?" },
      });
      const relayedId = request.id as string;
      expect(typeof relayedId).toBe("string");

      const answerWith = (id: unknown) => ({
        jsonrpc: "2.0",
        id,
        result: { action: "accept", content: { name: "Ada" } },
      });
      const expectRefused = async (response: Response, what: string) => {
        const text = await response.text();
        expect(response.status, `${what}: ${text}`).toBe(400);
        expect(JSON.parse(text), what).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
      };

      const otherSession = await openLegacy(aSessions);
      const otherUser = await openLegacy(bSessions);
      const before = sessions.requests().length;
      await expectRefused(await client.post(answerWith("made-up-id")), "a made-up id");
      await expectRefused(await client.post(answerWith(0)), "a numeric id");
      await expectRefused(await client.post(answerWith(tamper(relayedId))), "one character changed");
      await expectRefused(await otherSession.post(answerWith(relayedId)), "another session of the user");
      await expectRefused(await otherUser.post(answerWith(relayedId)), "another user's session");
      // None of these reached the backend.
      expect(sessions.requests().length).toBe(before);

      const delivered = await client.post(answerWith(relayedId));
      expect(delivered.status).toBe(202);
      expect(await delivered.text()).toBe("");
      const final = await stream.next();
      expect(final).toMatchObject({ id: "relay-1" });
      expect(readResultText(final.result)).toBe("Hello, Ada");

      // The backend got the answer once, in the session it asked in, under its own id.
      const answers = sessions
        .requests()
        .slice(before)
        .filter((recorded) => {
          const body = recorded.body as Record<string, unknown> | undefined;
          return body !== undefined && !("method" in body) && "result" in body;
        });
      expect(answers).toHaveLength(1);
      const backendAnswer = answers[0]?.body as { id: unknown; result: unknown };
      expect(backendAnswer.result).toEqual({ action: "accept", content: { name: "Ada" } });
      expect(backendAnswer.id).not.toBe(relayedId);
      expect(answers[0]?.sessionId).toEqual(expect.any(String));
    } finally {
      await stream.close();
    }
  });
});

// ─── 2025 client, 2026-07-28 backend: input requests translated into requests ─────────────────────

describe("a 2026-07-28 backend's input requests for a 2025 client", () => {
  it("sends the client an elicitation/create on the call's stream and retries the backend with the answer", async () => {
    const before = toolCallsAt(reject, "ask_name").length;
    const client = await openLegacy(aReject);
    const call = await client.post({
      jsonrpc: "2.0",
      id: "translate-1",
      method: "tools/call",
      params: { name: "ask_name", arguments: {} },
    });
    expect(call.status).toBe(200);
    const stream = readAsTheyCome(call);
    try {
      const request = await stream.next();
      expect(request).toMatchObject({
        method: "elicitation/create",
        params: { message: "What is your name?" },
      });
      expect(typeof request.id).toBe("string");

      // A forged answer (one character changed) is refused and does not end the wait.
      const forged = await client.post({
        jsonrpc: "2.0",
        id: tamper(request.id as string),
        result: { action: "accept", content: { name: "Mallory" } },
      });
      expect(forged.status).toBe(400);
      await forged.body?.cancel();

      const answered = await client.post({
        jsonrpc: "2.0",
        id: request.id,
        result: formAnswer(request, { name: "Ada" }),
      });
      expect(answered.status).toBe(202);
      const final = await stream.next();
      expect(final).toMatchObject({ id: "translate-1" });
      expect(readResultText(final.result)).toBe("Hello, Ada");
      expect(final.result).not.toHaveProperty("resultType");
    } finally {
      await stream.close();
    }
    const calls = toolCallsAt(reject, "ask_name").slice(before);
    expect(calls).toHaveLength(2);
    expect(calls.every((recorded) => recorded.protocolVersionHeader === MODERN)).toBe(true);
    expect(paramsOf(calls[1]).inputResponses).toEqual({
      name: { action: "accept", content: { name: "Ada" } },
    });
  });

  it("carries the backend's own requestState unchanged into the retry", async () => {
    const before = toolCallsAt(reject, "two_questions").length;
    const client = await openLegacy(aReject);
    const call = await client.post({
      jsonrpc: "2.0",
      id: "translate-2",
      method: "tools/call",
      params: { name: "two_questions", arguments: {} },
    });
    const stream = readAsTheyCome(call);
    const values = { color: "red", animal: "cat", confirm: true };
    try {
      let final: TJsonRpcMessage | undefined;
      const asked: string[] = [];
      while (!final) {
        const message = await stream.next();
        if (message.method === "elicitation/create") {
          asked.push(message.params?.message as string);
          const answered = await client.post({
            jsonrpc: "2.0",
            id: message.id,
            result: formAnswer(message, values),
          });
          expect(answered.status).toBe(202);
        } else if (message.id === "translate-2") {
          final = message;
        }
      }
      expect(asked).toEqual(["Favourite color?", "Favourite animal?", "Confirm: red cat?"]);
      expect(readResultText(final.result)).toBe("red cat (confirmed: true)");
    } finally {
      await stream.close();
    }
    const calls = toolCallsAt(reject, "two_questions").slice(before);
    expect(calls).toHaveLength(3);
    expect(paramsOf(calls[1]).requestState).toBeUndefined();
    expect(paramsOf(calls[2]).requestState).toMatch(/^v1\./);
    expect(paramsOf(calls[2]).inputResponses).toEqual({
      confirm: { action: "accept", content: { confirm: true } },
    });
  });
});

// ─── 2026-07-28 client, 2025 backend asking mid-call ──────────────────────────────────────────────

describe("a 2025 backend's mid-call request for a 2026-07-28 client", () => {
  it("answers with input_required and Tumiki's state; a tampered state is refused; the honest retry completes", async () => {
    const first = await callModern(aEverything, { id: "every-1", name: "trigger-elicitation-request" });
    expect(first.result?.resultType, JSON.stringify(first)).toBe("input_required");
    const inputRequests = first.result?.inputRequests as Record<string, TJsonRpcMessage>;
    const keys = Object.keys(inputRequests);
    expect(keys).toHaveLength(1);
    const key = keys[0] as string;
    expect(inputRequests[key]).toMatchObject({ method: "elicitation/create" });
    const state = first.result?.requestState as string;
    expect(typeof state).toBe("string");

    const inputResponses = { [key]: { action: "accept", content: { name: "Ada Lovelace" } } };
    const tampered = await callModern(aEverything, {
      id: "every-2",
      name: "trigger-elicitation-request",
      retry: { inputResponses, requestState: tamper(state) },
    });
    expect(tampered.error?.code, JSON.stringify(tampered)).toBe(-32602);

    // The refused retries consumed nothing: the suspended call still takes the honest one.
    const done = await callModern(aEverything, {
      id: "every-4",
      name: "trigger-elicitation-request",
      retry: { inputResponses, requestState: state },
    });
    expect(done.error, JSON.stringify(done)).toBeUndefined();
    expect(done.result?.resultType).toBe("complete");
    expect(readResultText(done.result)).toContain("Name: Ada Lovelace");
  });

  it("answers a replay of a state whose call has ended at once, with the same result", async () => {
    // The state stays valid for its lifetime (not single-use: mrtr.mdx allows replays within it), and a
    // replay reads the same continuation, which still holds the backend's response: a client that lost
    // the answer to its retry gets it again, and the backend runs nothing twice.
    const first = await callModern(aEverything, { id: "replay-1", name: "trigger-elicitation-request" });
    expect(first.result?.resultType, JSON.stringify(first)).toBe("input_required");
    const [key] = Object.keys(first.result?.inputRequests as Record<string, unknown>);
    const retry = {
      inputResponses: { [key as string]: { action: "accept", content: { name: "Grace Hopper" } } },
      requestState: first.result?.requestState,
    };
    const done = await callModern(aEverything, {
      id: "replay-2",
      name: "trigger-elicitation-request",
      retry,
    });
    expect(readResultText(done.result)).toContain("Name: Grace Hopper");

    const replay = await fetch(aEverything.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${aEverything.bearer}`,
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": "tools/call",
        "mcp-name": "trigger-elicitation-request",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "replay-3",
        method: "tools/call",
        params: {
          name: "trigger-elicitation-request",
          arguments: {},
          ...retry,
          _meta: {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": ELICITATION,
          },
        },
      }),
      // Closing the request is the 2026-07-28 cancellation: the proxy stops waiting too.
      signal: AbortSignal.timeout(5_000),
    })
      .then((response) => readRpcResponse(response, "replay-3"))
      .catch((error: unknown) => ({ hung: String(error) }));
    expect(replay).not.toHaveProperty("hung");
    expect(readResultText((replay as TJsonRpcMessage).result)).toContain("Name: Grace Hopper");
  });
});
