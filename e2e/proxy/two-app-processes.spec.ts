import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { demoBackendPublicMcpUrl } from "../support/demo-backend";
import { listDemoToolsDirectly } from "../support/list-demo-tools-directly";
import { readToolText } from "../support/mcp-tool-text";
import { uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { postMcpMessage } from "../support/post-mcp-message";
import { getSecondAppBaseUrlOrThrow } from "../support/second-app";
import { signUpAndSignIn } from "../support/session";
import { callTrpc, createInstance } from "../support/trpc";

// Two app processes (two `next start` on one PostgreSQL, one Redis and one APP_URL, as behind a load
// balancer) serve one MCP session interchangeably: sessions and the backend sessions opened for them
// live only in Redis. One SDK client whose requests the spec routes to either process: it opens its
// session on the first, calls tools (progress streamed) on the second, comes back to the first, and
// ends the session on the second, after which neither knows it. A session opened on the second
// continues on the first as well. The instance bundles the demo backend's server without
// authentication, so the subject is the session, not the backend's token.

const { fetch: clientFetch } = actAsClientAddress();

function urlOf(input: string | URL | Request): URL {
  return new URL(input instanceof Request ? input.url : input.toString());
}

test("an MCP session opened on one app process continues on the other", async ({ page, baseURL }) => {
  const firstOrigin = new URL(baseURL ?? "").origin;
  const secondOrigin = new URL(getSecondAppBaseUrlOrThrow()).origin;
  expect(secondOrigin).not.toBe(firstOrigin);
  expect((await clientFetch(`${secondOrigin}/api/health`)).status).toBe(200);

  await signUpAndSignIn(page.request);
  const server = await callTrpc<{ connectionId: string }>(page.request, "servers.add", {
    url: demoBackendPublicMcpUrl,
    name: `Board ${randomBytes(3).toString("hex")}`,
    auth: { type: "none" },
  });
  const instance = await createInstance(page.request, uniqueName("two-processes"));
  await callTrpc(page.request, "instance.setConnections", {
    instanceId: instance.id,
    connectionIds: [server.connectionId],
  });
  const { key } = await callTrpc<{ key: string }>(page.request, "apiKey.create", {
    instanceId: instance.id,
    name: "two processes",
  });
  const path = `/mcp/${instance.id}`;

  // Every request of the client goes to `target`, whatever URL the transport was given.
  let target = firstOrigin;
  const sent: { origin: string; method: string; status: number }[] = [];
  const routedFetch: typeof fetch = async (input, init) => {
    const url = urlOf(input);
    const routed = new URL(`${url.pathname}${url.search}`, target);
    const response = await clientFetch(routed, init);
    sent.push({ origin: routed.origin, method: init?.method ?? "GET", status: response.status });
    return response;
  };
  const lastPostTo = () => sent.filter((request) => request.method === "POST").at(-1)?.origin;

  const client = new Client({ name: "e2e-two-processes", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${firstOrigin}${path}`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
    fetch: routedFetch,
  });
  const noteTitle = `Two processes ${randomBytes(4).toString("hex")}`;
  try {
    await client.connect(transport);
    const sessionId = transport.sessionId ?? "";
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent[0]).toMatchObject({ origin: firstOrigin, method: "POST", status: 200 });
    // The first process opens the backend session too.
    const created = await client.callTool({ name: "create_note", arguments: { title: noteTitle, body: "" } });
    expect(created.isError).toBeFalsy();
    expect(lastPostTo()).toBe(firstOrigin);

    target = secondOrigin;
    const direct = await listDemoToolsDirectly();
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(
      direct.map((tool) => tool.name),
    );
    expect(lastPostTo()).toBe(secondOrigin);
    const found = await client.callTool({ name: "search_notes", arguments: { query: noteTitle } });
    expect(readToolText(found)).toContain(noteTitle);
    const progress: number[] = [];
    const counted = await client.callTool(
      { name: "count_slowly", arguments: { to: 3, delayMs: 100 } },
      undefined,
      {
        onprogress: ({ progress: value }) => progress.push(value),
      },
    );
    expect(readToolText(counted)).toBe("Counted to 3.");
    expect(progress).toEqual([1, 2, 3]);
    expect(lastPostTo()).toBe(secondOrigin);
    expect(transport.sessionId).toBe(sessionId);

    target = firstOrigin;
    const listed = await client.callTool({ name: "list_notes", arguments: {} });
    expect(readToolText(listed)).toContain(noteTitle);
    expect(lastPostTo()).toBe(firstOrigin);

    // Ended on the second process: the first does not know the session any more either.
    target = secondOrigin;
    await transport.terminateSession();
    expect(sent.at(-1)).toMatchObject({ origin: secondOrigin, method: "DELETE", status: 204 });
    for (const origin of [firstOrigin, secondOrigin]) {
      const ended = await postMcpMessage({
        url: `${origin}${path}`,
        bearer: key,
        sessionId,
        message: { jsonrpc: "2.0", id: 1, method: "ping" },
        fetchFn: clientFetch,
      });
      expect(ended.status).toBe(404);
      expect(ended.messages[0]?.error?.code).toBe(-32001);
    }
  } finally {
    await client.close();
  }

  // The other way round: opened on the second process, continued on the first.
  const opened = await postMcpMessage({
    url: `${secondOrigin}${path}`,
    bearer: key,
    message: {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "e2e", version: "1" } },
    },
    fetchFn: clientFetch,
  });
  expect(opened.status).toBe(200);
  const secondSessionId = opened.headers.get("mcp-session-id") ?? "";
  expect(secondSessionId).not.toBe("");
  const initialized = await postMcpMessage({
    url: `${firstOrigin}${path}`,
    bearer: key,
    sessionId: secondSessionId,
    message: { jsonrpc: "2.0", method: "notifications/initialized" },
    fetchFn: clientFetch,
  });
  expect(initialized.status).toBe(202);
  const continued = await postMcpMessage({
    url: `${firstOrigin}${path}`,
    bearer: key,
    sessionId: secondSessionId,
    message: { jsonrpc: "2.0", id: 2, method: "tools/list" },
    fetchFn: clientFetch,
  });
  expect(continued.status).toBe(200);
  const tools = continued.messages.find((message) => message.id === 2)?.result?.tools as { name: string }[];
  expect(tools.map((tool) => tool.name)).toContain("count_slowly");
});
