import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { getDb } from "@/server/db";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  LEGACY_CONFIRM_CLIENT,
  MODERN_CONFIRM_CLIENT,
  type TConfirmClient,
} from "@/server/testing/confirm-clients";
import { roundRobinFetch } from "@/server/testing/era-clients";
import {
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  postMcp,
  readResultText,
  readRpcResponse,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { startTumikiProcess, type TTumikiProcess } from "@/server/testing/start-tumiki-process";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Confirmation of destructive tool calls across two Tumiki processes that share only PostgreSQL and
// Redis: each client's requests alternate between them, so a 2025 client's answer to Tumiki's question
// lands on the process that does not hold the waiting call, and a 2026-07-28 client's retry (and its
// replay) on another process than the one that asked.

let proxy: TTumikiProxy;
let second: TTumikiProcess;
let demo: TDemoBackend;
let restoreHosts: () => void;
let url: string;
let apiKey: string;
let balanced: typeof fetch;
const clients: TConfirmClient[] = [];

beforeAll(async () => {
  demo = await startDemoBackend({ port: 0 });
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  restoreHosts = allowBackendHosts([new URL(demo.origin).host]);
  second = await startTumikiProcess({ env: { APP_URL: proxy.origin, LOG_LEVEL: "silent" } });
  balanced = roundRobinFetch([proxy.origin, second.origin]);

  const user = await createTestUser();
  const { connectionId } = await createServerConnection({
    userId: user.id,
    name: "Demo notes",
    url: demo.publicMcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  const instance = await createProxyInstance({ userId: user.id, connectionIds: [connectionId] });
  await getDb().mcpInstance.update({ where: { id: instance.id }, data: { confirmDestructiveTools: true } });
  ({ apiKey } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id }));
  url = proxy.mcpUrl(instance.id);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await second?.close();
  await proxy?.close();
  restoreHosts?.();
  await demo?.close();
});

const started = () => demo.stats.mcp.toolCalls.delete_note?.started ?? 0;

async function createNote(client: TConfirmClient): Promise<string> {
  const created = await client.callTool("create_note", { title: "across processes", body: "" });
  expect(created.isError, readResultText(created)).toBeFalsy();
  return (JSON.parse(readResultText(created)) as { id: string }).id;
}

describe.each([LEGACY_CONFIRM_CLIENT, MODERN_CONFIRM_CLIENT])("$label over two processes", (era) => {
  it("runs an accepted call once and refuses a declined one", async () => {
    const yes = await era.connect({ url, bearer: apiKey, answer: "accept", fetch: balanced });
    const no = await era.connect({ url, bearer: apiKey, answer: "decline", fetch: balanced });
    clients.push(yes, no);
    const id = await createNote(yes);

    const before = started();
    const refused = await no.callTool("delete_note", { id });
    expect((refused._meta as Record<string, unknown>)?.["tumiki/error"]).toMatchObject({
      error: "confirmation_declined",
    });
    expect(started()).toBe(before);

    const deleted = await yes.callTool("delete_note", { id });
    expect(deleted.isError, readResultText(deleted)).toBeFalsy();
    expect(readResultText(deleted)).toContain(id);
    expect(started()).toBe(before + 1);
    expect([yes.asked.length, no.asked.length]).toEqual([1, 1]);
  });
});

describe("a 2026-07-28 confirmed retry replayed at the other process", () => {
  it("is refused there", async () => {
    const call = async (origin: string, id: string, retry: Record<string, unknown> = {}) => {
      const target = new URL(url);
      const response = await postMcp({
        url: `${origin}${target.pathname}`,
        bearer: apiKey,
        message: {
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: {
            name: "delete_note",
            arguments: { id: "replayed-elsewhere" },
            ...retry,
            _meta: {
              "io.modelcontextprotocol/protocolVersion": "2026-07-28",
              "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
            },
          },
        },
        headers: {
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": "tools/call",
          "mcp-name": "delete_note",
        },
      });
      return readRpcResponse(response, id);
    };
    const asked = await call(proxy.origin, "x1");
    const retry = {
      inputResponses: { tumiki_confirm: { action: "accept" } },
      requestState: asked.result?.requestState,
    };
    const before = started();
    // The note does not exist: the backend answers with its own tool error, but it ran the call.
    const confirmed = await call(second.origin, "x2", retry);
    expect(confirmed.result?._meta).not.toHaveProperty(["tumiki/error"]);
    expect(started()).toBe(before + 1);
    const replayed = await call(proxy.origin, "x3", retry);
    expect(replayed.result).toMatchObject({ _meta: { "tumiki/error": { error: "confirmation_reused" } } });
    expect(started()).toBe(before + 1);
  });
});
