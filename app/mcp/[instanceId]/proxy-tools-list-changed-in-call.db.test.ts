import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { McpServer, type RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { getDb } from "@/server/db";
import { createServerConnection } from "@/server/servers/create-server-connection";
import { connectLegacyClient, connectModernClient } from "@/server/testing/era-clients";
import {
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// A 2025 backend that says its tools changed inside the stream of a call (a notification related to
// the request, not on its GET stream): Tumiki passes it to a 2025 client in that stream, and to a
// 2026-07-28 client on its subscriptions/listen stream (through the instance's change log), each only
// when the client's view of the server's tools changed. The backend's `change_description` tool
// changes another tool's description for every session and sends tools/list_changed in its own
// stream only. Pinning is on: a changed tool the client sees is held, so it leaves its list.

const COALESCE_GAP_MS = 400;
const WAIT_MS = 15_000;

type TBackend = { mcpUrl: string; hostPort: string; close(): Promise<void> };

/** The backend: `watched_visible`, `watched_hidden` (described as `descriptions` say) and the changer. */
async function startChangingBackend(): Promise<TBackend> {
  const descriptions = new Map([
    ["watched_visible", "A tool the client sees."],
    ["watched_hidden", "A tool hidden from the client."],
  ]);
  const registered: { name: string; tool: RegisteredTool }[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const newServer = () => {
    const server = new McpServer({ name: "changing-backend", version: "1.0.0" });
    for (const [name, description] of descriptions) {
      const tool = server.registerTool(name, { description }, async () => ({
        content: [{ type: "text" as const, text: name }],
      }));
      registered.push({ name, tool });
    }
    server.registerTool(
      "change_description",
      {
        description: "Changes a watched tool's description.",
        inputSchema: { tool: z.string(), to: z.string() },
      },
      async ({ tool, to }, extra) => {
        descriptions.set(tool, to);
        // Set in place: RegisteredTool.update would also announce it on every session's GET stream.
        for (const entry of registered) if (entry.name === tool) entry.tool.description = to;
        await extra.sendNotification({ method: "notifications/tools/list_changed" });
        return { content: [{ type: "text" as const, text: `${tool} changed` }] };
      },
    );
    return server;
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = req.method === "POST" ? await readBody(req) : undefined;
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const transport = sessions.get(sessionId);
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      res.writeHead(400).end();
      return;
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    await newServer().connect(transport);
    await transport.handleRequest(req, res, body);
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const port = await new Promise<number>((resolve) => {
    http.listen(0, "localhost", () => resolve((http.address() as AddressInfo).port));
  });
  return {
    mcpUrl: `http://localhost:${port}/mcp`,
    hostPort: `localhost:${port}`,
    async close() {
      await Promise.allSettled([...sessions.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

let proxy: TTumikiProxy;
let backend: TBackend;
const undo: (() => void)[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  backend = await startChangingBackend();
  undo.push(allowBackendHosts([backend.hostPort]));
});

afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

afterAll(async () => {
  await proxy?.close();
  await backend?.close();
  for (const restore of undo.reverse()) restore();
});

/** An instance of a new user with the backend, whose first list pinned its tools, then hid one. */
async function instanceHidingOne() {
  const user = await createTestUser();
  const { connectionId } = await createServerConnection({
    userId: user.id,
    name: "Changing",
    url: backend.mcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  const instance = await createProxyInstance({ userId: user.id, connectionIds: [connectionId] });
  const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
  return { instanceId: instance.id, url: proxy.mcpUrl(instance.id), bearer: accessToken };
}

async function hideTool(instanceId: string, name: string) {
  await getDb().mcpInstanceConnection.updateMany({
    where: { instanceId },
    data: { toolSelection: "CHOSEN" },
  });
  await getDb().instanceTool.updateMany({ where: { instanceId, name }, data: { chosen: false } });
}

async function untilHeld(instanceId: string, name: string) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const row = await getDb().instanceTool.findFirst({ where: { instanceId, name } });
    if (row?.pendingDigest) return;
    if (Date.now() > deadline) throw new Error(`${name} was not held within ${WAIT_MS} ms`);
    await sleep(50);
  }
}

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
    await sleep(25);
  }
}

describe("a tool list change in a call's stream", () => {
  it("reaches a 2025 client in that stream only when the client's view changed", async () => {
    const target = await instanceHidingOne();
    const { client } = await connectLegacyClient({ url: target.url, bearer: target.bearer });
    closers.push(() => client.close());
    await client.listTools();
    await hideTool(target.instanceId, "watched_hidden");
    const names = async () => (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(await names()).toEqual(["change_description", "watched_visible"]);
    let notified = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified += 1;
    });

    // The notification comes before the call's result in the same stream, so it was handled (or not
    // sent) by the time the result arrives.
    await client.callTool({ name: "change_description", arguments: { tool: "watched_hidden", to: "New." } });
    expect(notified).toBe(0);
    await client.callTool({ name: "change_description", arguments: { tool: "watched_visible", to: "New." } });
    expect(notified).toBe(1);
    // Held for review (pinning): gone from the list, which is why the client was told.
    expect(await names()).toEqual(["change_description"]);
  }, 60_000);

  it("reaches a 2026-07-28 client on its listen stream only when the client's view changed", async () => {
    const target = await instanceHidingOne();
    const { client } = await connectModernClient({ url: target.url, bearer: target.bearer });
    closers.push(() => client.close());
    const names = async () =>
      (await client.listTools(undefined, { cacheMode: "bypass" })).tools.map((tool) => tool.name).sort();
    await names();
    await hideTool(target.instanceId, "watched_hidden");
    expect(await names()).toEqual(["change_description", "watched_visible"]);
    let notified = 0;
    client.setNotificationHandler("notifications/tools/list_changed", () => {
      notified += 1;
    });
    const subscription = await client.listen({ toolsListChanged: true });
    closers.unshift(() => subscription.close());

    await sleep(COALESCE_GAP_MS);
    await client.callTool({
      name: "change_description",
      arguments: { tool: "watched_hidden", to: "Newer." },
    });
    // Tumiki looked at the change (its listing holds the changed tool) before the visible one comes.
    await untilHeld(target.instanceId, "watched_hidden");
    await sleep(COALESCE_GAP_MS);
    // Had the hidden change been passed on, its notification would have come right as it was held.
    expect(notified, "a notification of the hidden change").toBe(0);
    await client.callTool({
      name: "change_description",
      arguments: { tool: "watched_visible", to: "Newer." },
    });
    await until(() => notified >= 1, "a notification of the visible change");
    expect(await names()).toEqual(["change_description"]);
    expect(notified).toBe(1);
  }, 60_000);
});
