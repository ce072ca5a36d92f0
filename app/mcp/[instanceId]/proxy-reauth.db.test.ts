import { randomUUID } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UrlElicitationRequiredError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { readBackendTokenRow } from "@/server/testing/backend-token-fixtures";
import { postMcpInitialize } from "@/server/testing/post-mcp-initialize";
import {
  addDemoOAuthServer,
  allowBackendHosts,
  connectMcpClient,
  createProxyInstance,
  issueInstanceCredentials,
  openRawSession,
  postMcp,
  readResultText,
  readRpcResponse,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// A backend grant that no longer works, behind /mcp/{instanceId}, with the demo backend's real
// authorization server. Revoked grant (access and refresh token dead): the client is sent to reconnect
// the server, by a URL elicitation (-32042) when it declared one, else by a tool error carrying the URL;
// never by an HTTP 401, which would make it re-authorize with Tumiki and loop. Access token refused but
// refresh token good: one refresh, and the call succeeds.

let proxy: TTumikiProxy;
/** Its account's grants are revoked in beforeAll. */
let revokedBackend: TDemoBackend;
/** Only its access tokens are made invalid, by the test that needs it. */
let refreshBackend: TDemoBackend;
const revokedAccount = `revoked-${randomUUID()}`;
const refreshAccount = `refresh-${randomUUID()}`;
const undo: (() => void)[] = [];
const clients: Client[] = [];

let revoked: {
  url: string;
  accessToken: string;
  server: { serverId: string; slug: string; name: string };
  oldBackendToken: string;
};
let refreshing: { url: string; accessToken: string; connectionId: string };

/** An instance of a fresh user bundling only the demo backend over OAuth (so tool names are its own). */
async function demoInstance(backend: TDemoBackend) {
  const userId = (await createTestUser()).id;
  const server = await addDemoOAuthServer({ userId, backend });
  const instance = await createProxyInstance({ userId, connectionIds: [server.connectionId] });
  const { accessToken } = await issueInstanceCredentials({ userId, instanceId: instance.id });
  return { url: proxy.mcpUrl(instance.id), accessToken, server };
}

async function connect(url: string, bearer: string, urlElicitation: boolean) {
  const client = await connectMcpClient({ url, bearer, urlElicitation });
  clients.push(client);
  return client;
}

const reconnectUrlOf = (serverId: string) => `${proxy.origin}/servers?reconnect=${serverId}`;

const listNotesCall = (id: number | string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "list_notes", arguments: {} },
});

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  revokedBackend = await startDemoBackend({ port: 0, autoApproveAccount: revokedAccount });
  refreshBackend = await startDemoBackend({ port: 0, autoApproveAccount: refreshAccount });
  undo.push(allowBackendHosts([new URL(revokedBackend.origin).host, new URL(refreshBackend.origin).host]));

  const first = await demoInstance(revokedBackend);
  revoked = {
    url: first.url,
    accessToken: first.accessToken,
    server: first.server,
    oldBackendToken: first.server.grant.tokens.access_token,
  };
  // One successful call first, so Tumiki holds the backend token in its cache and a backend session:
  // the revocation then has to be noticed on a token Tumiki believes valid.
  const warmup = await connect(revoked.url, revoked.accessToken, false);
  const warm = await warmup.callTool({ name: "list_notes", arguments: {} });
  if (warm.isError) throw new Error(`the warm-up call failed: ${readResultText(warm)}`);
  await revokedBackend.revokeGrantsOf(revokedAccount);

  const second = await demoInstance(refreshBackend);
  refreshing = {
    url: second.url,
    accessToken: second.accessToken,
    connectionId: second.server.connectionId,
  };
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await proxy?.close();
  await Promise.allSettled([revokedBackend?.close(), refreshBackend?.close()]);
  for (const restore of undo.reverse()) restore();
});

describe("a revoked backend grant", () => {
  it("is refused by the demo backend itself (the premise of the tests below)", async () => {
    const response = await postMcpInitialize({
      url: revokedBackend.mcpUrl,
      accessToken: revoked.oldBackendToken,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("answers a client that declared URL elicitation with -32042 naming the reconnect URL", async () => {
    const { sessionId } = await openRawSession({
      url: revoked.url,
      bearer: revoked.accessToken,
      capabilities: { elicitation: { url: {} } },
    });
    const response = await postMcp({
      url: revoked.url,
      bearer: revoked.accessToken,
      sessionId,
      message: listNotesCall(7),
    });
    expect(response.status).not.toBe(401);
    expect(response.status).toBe(200);
    const answer = await readRpcResponse(response, 7);
    const reconnectUrl = reconnectUrlOf(revoked.server.serverId);
    expect(answer.error).toMatchObject({
      code: -32042,
      data: {
        elicitations: [
          { mode: "url", url: reconnectUrl, elicitationId: expect.any(String), message: expect.any(String) },
        ],
        error: "re_auth_required",
        reconnectUrl,
        server: { id: revoked.server.serverId, slug: revoked.server.slug, name: revoked.server.name },
      },
    });
  });

  it("raises the SDK's UrlElicitationRequiredError in an MCP SDK client that declared URL elicitation", async () => {
    const client = await connect(revoked.url, revoked.accessToken, true);
    const error = await client
      .callTool({ name: "list_notes", arguments: {} })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UrlElicitationRequiredError);
    expect((error as UrlElicitationRequiredError).elicitations[0]).toMatchObject({
      mode: "url",
      url: reconnectUrlOf(revoked.server.serverId),
    });
  });

  it("answers a client without URL elicitation with an isError result carrying the URL", async () => {
    const client = await connect(revoked.url, revoked.accessToken, false);
    const result = await client.callTool({ name: "list_notes", arguments: {} });
    const reconnectUrl = reconnectUrlOf(revoked.server.serverId);
    expect(result.isError).toBe(true);
    expect(readResultText(result)).toContain(reconnectUrl);
    expect(result._meta?.["tumiki/error"]).toMatchObject({
      error: "re_auth_required",
      reconnectUrl,
      server: { id: revoked.server.serverId, slug: revoked.server.slug, name: revoked.server.name },
    });
  });

  it("treats form-only elicitation as no URL elicitation, over raw HTTP with status 200", async () => {
    const { sessionId } = await openRawSession({
      url: revoked.url,
      bearer: revoked.accessToken,
      capabilities: { elicitation: {} },
    });
    const response = await postMcp({
      url: revoked.url,
      bearer: revoked.accessToken,
      sessionId,
      message: listNotesCall("f"),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("www-authenticate")).toBeNull();
    const answer = await readRpcResponse(response, "f");
    expect(answer.error).toBeUndefined();
    expect(answer.result).toMatchObject({
      isError: true,
      _meta: { "tumiki/error": { error: "re_auth_required" } },
    });
  });
});

/** A 2026-07-28 tools/call of list_notes, raw, with the client's capabilities and optional retry fields. */
async function modernListNotes(
  id: string,
  capabilities: Record<string, unknown>,
  retry: Record<string, unknown> = {},
) {
  const response = await postMcp({
    url: revoked.url,
    bearer: revoked.accessToken,
    message: {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name: "list_notes",
        arguments: {},
        ...retry,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": capabilities,
        },
      },
    },
    headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "list_notes" },
  });
  expect(response.status).not.toBe(401);
  return readRpcResponse(response, id);
}

describe("a revoked backend grant, for a 2026-07-28 client (no -32042 in that revision)", () => {
  it("asks a client with URL elicitation to reconnect through a multi round-trip request", async () => {
    const first = await modernListNotes("m1", { elicitation: { url: {} } });
    const reconnectUrl = reconnectUrlOf(revoked.server.serverId);
    expect(first.result).toMatchObject({
      resultType: "input_required",
      inputRequests: {
        reconnect: {
          method: "elicitation/create",
          params: { mode: "url", url: reconnectUrl, message: expect.any(String) },
        },
      },
      requestState: expect.any(String),
    });
    expect(first.result?.inputRequests).not.toHaveProperty("reconnect.params.elicitationId");

    // The user has not reconnected yet: the retry is asked again, with a fresh state.
    const retry = {
      inputResponses: { reconnect: { action: "accept" } },
      requestState: first.result?.requestState,
    };
    const again = await modernListNotes("m2", { elicitation: { url: {} } }, retry);
    expect(again.result).toMatchObject({
      resultType: "input_required",
      inputRequests: { reconnect: expect.anything() },
    });

    // A state for another request (another tool) is refused, and so is one altered.
    const tampered = await modernListNotes(
      "m3",
      { elicitation: { url: {} } },
      {
        ...retry,
        requestState: `${String(first.result?.requestState).slice(0, -2)}xx`,
      },
    );
    expect(tampered.error?.code).toBe(-32602);
  });

  it("answers a client without URL elicitation with an isError result carrying the URL", async () => {
    const answer = await modernListNotes("m4", { elicitation: {} });
    expect(answer.result).toMatchObject({
      resultType: "complete",
      isError: true,
      _meta: {
        "tumiki/error": { error: "re_auth_required", reconnectUrl: reconnectUrlOf(revoked.server.serverId) },
      },
    });
    expect(readResultText(answer.result)).toContain(reconnectUrlOf(revoked.server.serverId));
  });
});

describe("a backend access token the backend no longer accepts", () => {
  it("is refreshed once, and the call succeeds", async () => {
    const client = await connect(refreshing.url, refreshing.accessToken, false);
    // A first call caches the token and opens the backend session, as in normal use.
    const first = await client.callTool({ name: "list_notes", arguments: {} });
    expect(first.isError).toBeFalsy();
    const before = await readBackendTokenRow(refreshing.connectionId);

    // Only the access tokens go; the refresh token stays good. (Not RFC 7009 revocation: oidc-provider
    // revokes every token of the grant when one access token is revoked.)
    await refreshBackend.expireAccessTokensOf(refreshAccount);
    const refused = await postMcpInitialize({ url: refreshBackend.mcpUrl, accessToken: before.accessToken });
    expect(refused.status).toBe(401);

    const refreshesBefore = refreshBackend.stats.tokenRequests.refresh_token ?? 0;
    const second = await client.callTool({ name: "list_notes", arguments: {} });
    expect(second.isError, readResultText(second)).toBeFalsy();
    expect(refreshBackend.stats.tokenRequests.refresh_token ?? 0).toBe(refreshesBefore + 1);

    const after = await readBackendTokenRow(refreshing.connectionId);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.isValid).toBe(true);
  });

  it("is refreshed once for many calls refused at the same time (refresh tokens may be single-use)", async () => {
    const clients = await Promise.all(
      [1, 2, 3].map(() => connect(refreshing.url, refreshing.accessToken, false)),
    );
    for (const client of clients) {
      expect((await client.callTool({ name: "list_notes", arguments: {} })).isError).toBeFalsy();
    }
    await refreshBackend.expireAccessTokensOf(refreshAccount);
    const refreshesBefore = refreshBackend.stats.tokenRequests.refresh_token ?? 0;

    // Six calls over three sessions, all sent with the token the backend now refuses.
    const results = await Promise.all(
      [...clients, ...clients].map((client) => client.callTool({ name: "list_notes", arguments: {} })),
    );
    for (const result of results) expect(result.isError, readResultText(result)).toBeFalsy();
    expect(refreshBackend.stats.tokenRequests.refresh_token ?? 0).toBe(refreshesBefore + 1);
    expect((await readBackendTokenRow(refreshing.connectionId)).isValid).toBe(true);
  });
});
