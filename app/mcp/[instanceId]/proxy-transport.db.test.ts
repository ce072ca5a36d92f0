import { randomBytes } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addRecordingServer,
  allowBackendHosts,
  connectMcpClient,
  createProxyInstance,
  initializeMessage,
  issueInstanceCredentials,
  openRawSession,
  postMcp,
  readRpcResponse,
  setTestEnv,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { startRecordingMcpBackend, type TRecordingBackend } from "@/server/testing/recording-mcp-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, OPTIONS, POST } from "./route";

// The Streamable HTTP transport of /mcp/{instanceId}, over a real port (as a client sees it): what a
// POST must look like, how sessions start, are found, are refused and end, and that no error answer
// leaks internals. The instance bundles one recording backend without authentication.

const SUPPORTED_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;
// A stack frame, a source position, a thrown error's class name or a driver's wording: none may reach
// a client in an error body.
const INTERNAL_TEXT =
  /\bat \S+ \(|\.(?:ts|js|mjs|cjs):\d+|node_modules|(?:Type|Syntax|Reference|Range)?Error: |ECONNREFUSED|Prisma|\bstack\b/;

let proxy: TTumikiProxy;
let backend: TRecordingBackend;
let url: string;
let bearer: string;
let apiKey: string;
/** The same user's second instance, with its own token. */
let sibling: { url: string; bearer: string };
/** Another user's instance, with their valid token. */
let stranger: { url: string; bearer: string };
const undo: (() => void)[] = [];

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  backend = await startRecordingMcpBackend({ name: "transport-backend" });
  undo.push(allowBackendHosts([backend.hostPort]));

  const user = await createTestUser();
  const server = await addRecordingServer({ userId: user.id, backend, name: "Transport" });
  const instance = await createProxyInstance({ userId: user.id, connectionIds: [server.connectionId] });
  const credentials = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
  url = proxy.mcpUrl(instance.id);
  bearer = credentials.accessToken;
  apiKey = credentials.apiKey;

  const second = await createProxyInstance({ userId: user.id, connectionIds: [server.connectionId] });
  sibling = {
    url: proxy.mcpUrl(second.id),
    bearer: (await issueInstanceCredentials({ userId: user.id, instanceId: second.id })).accessToken,
  };

  const other = await createTestUser();
  const otherServer = await addRecordingServer({ userId: other.id, backend, name: "Transport" });
  const otherInstance = await createProxyInstance({
    userId: other.id,
    connectionIds: [otherServer.connectionId],
  });
  stranger = {
    url: proxy.mcpUrl(otherInstance.id),
    bearer: (await issueInstanceCredentials({ userId: other.id, instanceId: otherInstance.id })).accessToken,
  };
});

afterAll(async () => {
  await proxy?.close();
  await backend?.close();
  for (const restore of undo.reverse()) restore();
});

/** Asserts an HTTP-level JSON-RPC refusal and that its body tells nothing internal; returns the body. */
async function expectRpcRefusal(response: Response, status: number, code?: number) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(text).not.toMatch(INTERNAL_TEXT);
  const body = JSON.parse(text);
  expect(body).toMatchObject({ jsonrpc: "2.0", error: { code: code ?? expect.any(Number) } });
  expect(typeof body.error.message).toBe("string");
  return body;
}

const ping = (id: string | number = "ping-1") => ({ jsonrpc: "2.0", id, method: "ping" });

describe("initialize", () => {
  it.each(
    SUPPORTED_VERSIONS,
  )("negotiates %s and returns a fresh session id of at least 128 bits", async (version) => {
    const response = await postMcp({ url, bearer, message: initializeMessage({ protocolVersion: version }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const sessionId = response.headers.get("mcp-session-id") ?? "";
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sessionId.length * 6).toBeGreaterThanOrEqual(128);
    const answer = await readRpcResponse(response, 1);
    expect(answer.result).toMatchObject({ protocolVersion: version, serverInfo: { name: "tumiki" } });

    const again = await postMcp({ url, bearer, message: initializeMessage({ protocolVersion: version }) });
    expect(again.headers.get("mcp-session-id")).not.toBe(sessionId);
  });

  it("answers the latest version to an unknown one, with capabilities merged from the backend", async () => {
    const response = await postMcp({
      url,
      bearer,
      message: initializeMessage({ protocolVersion: "1999-01-01" }),
    });
    const answer = await readRpcResponse(response, 1);
    expect(answer.result?.protocolVersion).toBe("2025-11-25");
    // The recording backend offers tools, resources and prompts.
    expect(answer.result?.capabilities).toMatchObject({
      tools: { listChanged: true },
      resources: expect.any(Object),
      prompts: expect.any(Object),
    });
  });

  it("refuses initialize that carries an Mcp-Session-Id with 400", async () => {
    const { sessionId } = await openRawSession({ url, bearer });
    // The contract fixes the status, not the JSON-RPC code.
    await expectRpcRefusal(await postMcp({ url, bearer, sessionId, message: initializeMessage() }), 400);
  });

  it("serves MCP SDK clients with an access token and with an API key", async () => {
    for (const credential of [bearer, apiKey]) {
      const client: Client = await connectMcpClient({ url, bearer: credential });
      try {
        expect(client.getServerVersion()?.name).toBe("tumiki");
        const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId ?? "";
        expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
        expect(await client.ping()).toEqual({});
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(["echo", "slow"]);
      } finally {
        await client.close();
      }
    }
  });
});

describe("POST body and headers", () => {
  it("answers a body that is not JSON with 400 and -32700", async () => {
    const body = await expectRpcRefusal(
      await postMcp({ url, bearer, rawBody: '{"jsonrpc":"2.0",' }),
      400,
      -32700,
    );
    expect(body.id).toBeNull();
  });

  it("refuses a batch with 400 and -32600", async () => {
    await expectRpcRefusal(await postMcp({ url, bearer, message: [initializeMessage()] }), 400, -32600);
  });

  it("refuses JSON that is not a JSON-RPC 2.0 message with 400 and -32600", async () => {
    for (const message of [
      42,
      "ping",
      { id: 1, method: "ping" },
      { jsonrpc: "1.0", id: 1, method: "ping" },
    ]) {
      await expectRpcRefusal(await postMcp({ url, bearer, message }), 400, -32600);
    }
  });

  it("refuses a body over 1 MiB with 413 and -32600", async () => {
    const rawBody = JSON.stringify({ ...initializeMessage(), padding: "x".repeat(1024 * 1024) });
    await expectRpcRefusal(await postMcp({ url, bearer, rawBody }), 413, -32600);
  });

  it("refuses an Accept that does not list both JSON and SSE with 406", async () => {
    for (const accept of ["application/json", "text/event-stream", "text/html"]) {
      const response = await postMcp({ url, bearer, message: initializeMessage(), headers: { accept } });
      const text = await response.text();
      expect(response.status, `${accept}: ${text}`).toBe(406);
      expect(text).not.toMatch(INTERNAL_TEXT);
    }
  });

  it("refuses a Content-Type other than application/json with 415", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded"]) {
      const response = await postMcp({
        url,
        bearer,
        message: initializeMessage(),
        headers: { "content-type": contentType },
      });
      const text = await response.text();
      expect(response.status, `${contentType}: ${text}`).toBe(415);
      expect(text).not.toMatch(INTERNAL_TEXT);
    }
  });

  it("refuses an unsupported MCP-Protocol-Version with 400", async () => {
    const { sessionId } = await openRawSession({ url, bearer });
    const response = await postMcp({
      url,
      bearer,
      sessionId,
      message: ping(),
      headers: { "mcp-protocol-version": "1999-01-01" },
    });
    const text = await response.text();
    expect(response.status, text).toBe(400);
    expect(text).not.toMatch(INTERNAL_TEXT);
    // The same request with a supported version is answered.
    const ok = await postMcp({
      url,
      bearer,
      sessionId,
      message: ping(),
      headers: { "mcp-protocol-version": "2025-06-18" },
    });
    expect((await readRpcResponse(ok, "ping-1")).result).toEqual({});
  });
});

describe("Origin (DNS rebinding)", () => {
  it("refuses a foreign Origin with 403 before authentication, with or without a token", async () => {
    for (const credential of [undefined, bearer]) {
      const response = await postMcp({
        url,
        bearer: credential,
        message: initializeMessage(),
        headers: { origin: "http://evil.example" },
      });
      expect(response.headers.get("www-authenticate")).toBeNull();
      await expectRpcRefusal(response, 403, -32000);
    }
    const nullOrigin = await postMcp({ url, message: initializeMessage(), headers: { origin: "null" } });
    await expectRpcRefusal(nullOrigin, 403, -32000);
  });

  it("accepts APP_URL's own origin and the origins of MCP_ALLOWED_ORIGINS", async () => {
    const own = await postMcp({
      url,
      bearer,
      message: initializeMessage(),
      headers: { origin: proxy.origin },
    });
    expect(own.status).toBe(200);

    const restore = setTestEnv({ MCP_ALLOWED_ORIGINS: "https://inspector.example.test" });
    try {
      const allowed = await postMcp({
        url,
        bearer,
        message: initializeMessage(),
        headers: { origin: "https://inspector.example.test" },
      });
      expect(allowed.status).toBe(200);
    } finally {
      restore();
    }
  });

  it("answers CORS only to allowed origins: preflight, exposed session header, nothing for others", async () => {
    const inspector = "https://inspector.example.test";
    const restore = setTestEnv({ MCP_ALLOWED_ORIGINS: inspector });
    try {
      const preflight = (origin: string) =>
        OPTIONS(
          new Request(url, {
            method: "OPTIONS",
            headers: { origin, "access-control-request-method": "POST" },
          }),
        );
      const allowed = await preflight(inspector);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(inspector);
      expect(allowed.headers.get("access-control-allow-methods")).toBe("POST, GET, DELETE");
      const allowedHeaders = (allowed.headers.get("access-control-allow-headers") ?? "").split(", ");
      expect(allowedHeaders).toEqual(
        expect.arrayContaining([
          "mcp-session-id",
          "mcp-protocol-version",
          "mcp-method",
          "mcp-name",
          "last-event-id",
        ]),
      );
      // A 2026-07-28 browser client's mirrored tool arguments: allowed when asked for, nothing else is.
      const asking = await OPTIONS(
        new Request(url, {
          method: "OPTIONS",
          headers: {
            origin: inspector,
            "access-control-request-method": "POST",
            "access-control-request-headers": "Mcp-Param-Region, x-evil, mcp-param-bad name",
          },
        }),
      );
      const asked = (asking.headers.get("access-control-allow-headers") ?? "").split(", ");
      expect(asked).toContain("mcp-param-region");
      expect(asked).not.toContain("x-evil");
      expect(asked.filter((name) => name.startsWith("mcp-param-"))).toEqual(["mcp-param-region"]);
      const foreign = await preflight("https://evil.example");
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

      const answered = await postMcp({
        url,
        bearer,
        message: initializeMessage(),
        headers: { origin: inspector },
      });
      expect(answered.headers.get("access-control-allow-origin")).toBe(inspector);
      expect(answered.headers.get("access-control-expose-headers")).toContain("mcp-session-id");
      const refused = await postMcp({
        url,
        bearer,
        message: initializeMessage(),
        headers: { origin: "https://evil.example" },
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
      const cli = await postMcp({ url, bearer, message: initializeMessage() });
      expect(cli.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      restore();
    }
  });

  it("leaves a request without Origin (CLI clients) to authentication: 401 without a token", async () => {
    const anonymous = await postMcp({ url, message: initializeMessage() });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("resource_metadata=");
  });
});

describe("sessions", () => {
  it("answers a request without Mcp-Session-Id with 400", async () => {
    await expectRpcRefusal(await postMcp({ url, bearer, message: ping() }), 400, -32000);
  });

  it("answers an unknown session id with 404 and -32001", async () => {
    const sessionId = randomBytes(32).toString("base64url");
    await expectRpcRefusal(await postMcp({ url, bearer, sessionId, message: ping() }), 404, -32001);
  });

  it("answers another user's session id, and one of another instance, exactly as an unknown one", async () => {
    const { sessionId } = await openRawSession({ url, bearer });
    const unknown = await expectRpcRefusal(
      await postMcp({ url, bearer, sessionId: randomBytes(32).toString("base64url"), message: ping() }),
      404,
      -32001,
    );
    const theirs = await expectRpcRefusal(
      await postMcp({ url: stranger.url, bearer: stranger.bearer, sessionId, message: ping() }),
      404,
      -32001,
    );
    const otherInstance = await expectRpcRefusal(
      await postMcp({ url: sibling.url, bearer: sibling.bearer, sessionId, message: ping() }),
      404,
      -32001,
    );
    expect(theirs).toEqual(unknown);
    expect(otherInstance).toEqual(unknown);
    // The session itself is untouched by those attempts.
    const ok = await postMcp({ url, bearer, sessionId, message: ping() });
    expect((await readRpcResponse(ok, "ping-1")).result).toEqual({});
  });

  it("answers ping with {}, notifications with 202 and no body, and refuses answers to requests Tumiki never sent", async () => {
    const { sessionId } = await openRawSession({ url, bearer });
    const pong = await postMcp({ url, bearer, sessionId, message: ping("p") });
    expect(pong.status).toBe(200);
    expect(await readRpcResponse(pong, "p")).toEqual({ jsonrpc: "2.0", id: "p", result: {} });

    const notification = await postMcp({
      url,
      bearer,
      sessionId,
      message: { jsonrpc: "2.0", method: "notifications/roots/list_changed" },
    });
    expect(notification.status).toBe(202);
    expect(await notification.text()).toBe("");

    // Every id Tumiki gives a request it relays is sealed and bound to the session: a made-up one is no answer.
    const clientResponse = await postMcp({
      url,
      bearer,
      sessionId,
      message: { jsonrpc: "2.0", id: "server-request-1", result: {} },
    });
    expect(clientResponse.status).toBe(400);
    expect((await clientResponse.json()).error.code).toBe(-32600);
  });

  it("ends a session on DELETE: 204, then 404 for the same id", async () => {
    const { sessionId } = await openRawSession({ url, bearer });
    const ended = await postMcp({ url, bearer, sessionId, method: "DELETE" });
    expect(ended.status).toBe(204);
    await expectRpcRefusal(await postMcp({ url, bearer, sessionId, message: ping() }), 404, -32001);
  });

  it("ends an MCP SDK client's session when it terminates it", async () => {
    const client = await connectMcpClient({ url, bearer });
    const transport = client.transport as StreamableHTTPClientTransport;
    const sessionId = transport.sessionId ?? "";
    await transport.terminateSession();
    await client.close();
    await expectRpcRefusal(await postMcp({ url, bearer, sessionId, message: ping() }), 404, -32001);
  });
});

describe("other methods", () => {
  it("answers GET and DELETE without a session with 405: only a 2025 session has a stream to open or end", async () => {
    for (const method of ["GET", "DELETE"] as const) {
      const response = await postMcp({ url, bearer, method });
      expect(response.status, method).toBe(405);
      const allow = (response.headers.get("allow") ?? "").split(",").map((entry) => entry.trim());
      expect(allow.sort()).toEqual(["DELETE", "GET", "POST"]);
      expect(await response.text()).not.toMatch(INTERNAL_TEXT);
    }
  });
});
