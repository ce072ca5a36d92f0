import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Client as SdkClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZDemoStats } from "@/scripts/demo-backend/demo-stats";
import { generateDemoText } from "@/scripts/demo-backend/generate-demo-text";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  allowBackendHosts,
  connectMcpClient,
  createProxyInstance,
  hostPortOf,
  issueInstanceCredentials,
  startTumikiProxy,
  type TTumikiProxy,
  waitForDemoAbort,
} from "@/server/testing/proxy-fixtures";
import { startEverythingServer, type TEverythingServer } from "@/server/testing/start-everything-server";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// The proxy against a third-party MCP server: @modelcontextprotocol/server-everything (the MCP
// project's reference server) connected without authentication, driven through Tumiki with the MCP SDK
// client and compared with the same server asked directly. One instance holds only server-everything
// (names and URIs pass unchanged); a second bundles it with the demo backend's public endpoint
// (`<slug>__<name>`, `tumiki.<slug>.<uri>`), which also serves count_slowly (counts aborted calls) and
// generate_text (large results).

let everything: TEverythingServer;
let demo: TDemoBackend;
let proxy: TTumikiProxy;
let restoreHosts: () => void;
/** Straight to server-everything, with the capabilities the Tumiki client declares (none). */
let direct: Client;
/** Straight to the demo backend's public endpoint. */
let directDemo: Client;
/** Through Tumiki, instance with server-everything only. */
let solo: Client;
/** Through Tumiki, instance bundling the demo backend and server-everything. */
let bundled: Client;
let everythingSlug: string;
let demoSlug: string;

async function connectDirect(url: string): Promise<Client> {
  const client = new SdkClient({ name: "direct-test-client", version: "1.0.0" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Dynamic resources of server-everything carry the time they were made (e.g. "5:21:43 AM"). */
function withoutClockTimes<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/\d{1,2}:\d{2}:\d{2}(\s?[AP]M)?/g, "<time>")) as T;
}

async function fetchDemoStats() {
  return ZDemoStats.parse(await (await fetch(`${demo.origin}/__demo/stats`)).json());
}

beforeAll(async () => {
  [everything, demo] = await Promise.all([startEverythingServer(), startDemoBackend({ port: 0 })]);
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  restoreHosts = allowBackendHosts([hostPortOf(everything.mcpUrl), hostPortOf(demo.publicMcpUrl)]);

  const user = await createTestUser();
  const everythingConnection = await createServerConnection({
    userId: user.id,
    name: "Everything",
    url: everything.mcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  const demoConnection = await createServerConnection({
    userId: user.id,
    name: "Demo Notes",
    url: demo.publicMcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  everythingSlug = everythingConnection.slug;
  demoSlug = demoConnection.slug;
  // The expected orders below rely on it: servers are listed in slug order.
  expect(demoSlug < everythingSlug).toBe(true);

  const soloInstance = await createProxyInstance({
    userId: user.id,
    connectionIds: [everythingConnection.connectionId],
  });
  const bundledInstance = await createProxyInstance({
    userId: user.id,
    connectionIds: [everythingConnection.connectionId, demoConnection.connectionId],
  });
  const soloCredentials = await issueInstanceCredentials({ userId: user.id, instanceId: soloInstance.id });
  const bundledCredentials = await issueInstanceCredentials({
    userId: user.id,
    instanceId: bundledInstance.id,
  });

  [direct, directDemo, solo, bundled] = await Promise.all([
    connectDirect(everything.mcpUrl),
    connectDirect(demo.publicMcpUrl),
    connectMcpClient({ url: proxy.mcpUrl(soloInstance.id), bearer: soloCredentials.accessToken }),
    connectMcpClient({ url: proxy.mcpUrl(bundledInstance.id), bearer: bundledCredentials.accessToken }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([direct, directDemo, solo, bundled].map((client) => client?.close()));
  await proxy?.close();
  restoreHosts?.();
  await Promise.allSettled([everything?.close(), demo?.close()]);
});

const TOOL_CALLS = [
  { name: "echo", arguments: { message: "hello through Tumiki ✓" } },
  { name: "get-sum", arguments: { a: 40, b: 2.5 } },
  { name: "get-structured-content", arguments: { location: "Chicago" } },
  { name: "get-tiny-image", arguments: {} },
  { name: "get-annotated-message", arguments: { messageType: "error", includeImage: true } },
  { name: "get-resource-links", arguments: { count: 3 } },
];

describe("one server: server-everything through Tumiki equals server-everything", () => {
  it("initialize merges server-everything's capabilities", () => {
    const capabilities = solo.getServerCapabilities();
    expect(capabilities?.tools).toBeDefined();
    expect(capabilities?.resources).toBeDefined();
    expect(capabilities?.prompts).toBeDefined();
    expect(capabilities?.completions).toBeDefined();
    expect(capabilities?.logging).toBeDefined();
    expect(solo.getServerVersion()?.name).toBe("tumiki");
  });

  it("tools/list: the same tools, in the same order, with the same schemas and annotations", async () => {
    const expected = await direct.listTools();
    expect(expected.tools.map((tool) => tool.name)).toContain("trigger-long-running-operation");
    const { tools } = await solo.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expected.tools.map((tool) => tool.name));
    expect(tools).toEqual(expected.tools);
  });

  it("tools/call: text, numbers, structured content, images and resource links arrive as sent", async () => {
    for (const call of TOOL_CALLS) {
      const viaTumiki = await solo.callTool(call);
      expect(viaTumiki, call.name).toEqual(await direct.callTool(call));
    }
    const structured = await solo.callTool(TOOL_CALLS[2] as (typeof TOOL_CALLS)[number]);
    expect(structured.structuredContent).toEqual({
      temperature: 36,
      conditions: "Light rain / drizzle",
      humidity: 82,
    });
    const image = (await solo.callTool({ name: "get-tiny-image", arguments: {} })).content as {
      type: string;
      data?: string;
      mimeType?: string;
    }[];
    expect(image[1]?.type).toBe("image");
    expect(image[1]?.mimeType).toBe("image/png");
    // The PNG survives byte for byte (base64 in JSON, possibly inside SSE events).
    expect(
      Buffer.from(image[1]?.data ?? "", "base64")
        .subarray(1, 4)
        .toString("latin1"),
    ).toBe("PNG");
  });

  it("a tool's own error (invalid arguments) comes back as server-everything answers it", async () => {
    const call = { name: "get-sum", arguments: { a: "not a number", b: 1 } };
    const viaTumiki = await solo.callTool(call);
    expect(viaTumiki.isError).toBe(true);
    expect(viaTumiki).toEqual(await direct.callTool(call));
  });

  it("resources/list, resources/templates/list and resources/read equal the direct answers", async () => {
    const resources = await direct.listResources();
    expect(resources.resources.length).toBeGreaterThan(0);
    expect(await solo.listResources()).toEqual(resources);
    const templates = await direct.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      "demo://resource/dynamic/text/{resourceId}",
      "demo://resource/dynamic/blob/{resourceId}",
    ]);
    expect(await solo.listResourceTemplates()).toEqual(templates);

    for (const { uri } of resources.resources) {
      expect(await solo.readResource({ uri }), uri).toEqual(await direct.readResource({ uri }));
    }
    for (const uri of ["demo://resource/dynamic/text/7", "demo://resource/dynamic/blob/8"]) {
      const viaTumiki = await solo.readResource({ uri });
      expect(viaTumiki.contents[0]?.uri).toBe(uri);
      expect(withoutClockTimes(viaTumiki), uri).toEqual(
        withoutClockTimes(await direct.readResource({ uri })),
      );
    }
  });

  it("prompts/list and prompts/get with arguments equal the direct answers", async () => {
    const prompts = await direct.listPrompts();
    expect(await solo.listPrompts()).toEqual(prompts);
    const gets: { name: string; arguments?: Record<string, string> }[] = [
      { name: "simple-prompt" },
      { name: "args-prompt", arguments: { city: "Kyoto", state: "Kansai" } },
      { name: "args-prompt", arguments: { city: "Osaka" } },
      { name: "completable-prompt", arguments: { department: "Sales", name: "Eve" } },
    ];
    for (const request of gets) {
      expect(await solo.getPrompt(request), request.name).toEqual(await direct.getPrompt(request));
    }
    const withArgs = await solo.getPrompt({
      name: "args-prompt",
      arguments: { city: "Kyoto", state: "Kansai" },
    });
    expect(withArgs.messages[0]?.content).toEqual({ type: "text", text: "What's weather in Kyoto, Kansai?" });
    const embedded = { name: "resource-prompt", arguments: { resourceType: "Text", resourceId: "3" } };
    expect(withoutClockTimes(await solo.getPrompt(embedded))).toEqual(
      withoutClockTimes(await direct.getPrompt(embedded)),
    );
  });

  it("completion/complete reaches server-everything", async () => {
    const request = {
      ref: { type: "ref/prompt" as const, name: "completable-prompt" },
      argument: { name: "department", value: "S" },
    };
    const viaTumiki = await solo.complete(request);
    expect(viaTumiki.completion.values).toEqual(["Sales", "Support"]);
    expect(viaTumiki).toEqual(await direct.complete(request));
  });

  it("progress of trigger-long-running-operation arrives through Tumiki, each before the result", async () => {
    const events: string[] = [];
    const result = await solo.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } },
      undefined,
      { onprogress: (progress) => events.push(`progress ${progress.progress}/${progress.total}`) },
    );
    events.push(`result ${(result.content as { text: string }[])[0]?.text}`);
    expect(events).toEqual([
      "progress 1/4",
      "progress 2/4",
      "progress 3/4",
      "progress 4/4",
      "result Long running operation completed. Duration: 1 seconds, Steps: 4.",
    ]);
  });

  it("an aborted call rejects at once, and the session keeps serving", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const call = solo.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 10, steps: 10 } },
      undefined,
      { signal: controller.signal, onprogress: () => controller.abort("enough") },
    );
    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await solo.callTool({ name: "echo", arguments: { message: "still here" } })).toEqual({
      content: [{ type: "text", text: "Echo: still here" }],
    });
  });

  it("20 concurrent tools/call over one session each get their own result", async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? { name: "echo", arguments: { message: `message #${i}` }, expected: `Echo: message #${i}` }
        : {
            name: "get-sum",
            arguments: { a: i, b: 1000 },
            expected: `The sum of ${i} and 1000 is ${i + 1000}.`,
          },
    );
    const results = await Promise.all(
      calls.map(({ name, arguments: args }) => solo.callTool({ name, arguments: args })),
    );
    expect(results.map((result) => (result.content as { text: string }[])[0]?.text)).toEqual(
      calls.map((call) => call.expected),
    );
  });
});

describe("two servers: names and URIs carry the server's slug and map back exactly", () => {
  const prefixed = (slug: string, name: string) => `${slug}__${name}`;
  const prefixedUri = (slug: string, uri: string) => `tumiki.${slug}.${uri}`;

  it("tools/list: every tool of both servers as <slug>__<name>, servers in slug order, else unchanged", async () => {
    const [demoTools, everythingTools] = [
      (await directDemo.listTools()).tools,
      (await direct.listTools()).tools,
    ];
    const expected = [
      ...demoTools.map((tool) => ({ ...tool, name: prefixed(demoSlug, tool.name) })),
      ...everythingTools.map((tool) => ({ ...tool, name: prefixed(everythingSlug, tool.name) })),
    ];
    const { tools } = await bundled.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expected.map((tool) => tool.name));
    expect(tools).toEqual(expected);
  });

  it("tools/call of <slug>__<name> runs that server's tool", async () => {
    for (const call of TOOL_CALLS.slice(0, 5)) {
      const viaTumiki = await bundled.callTool({ ...call, name: prefixed(everythingSlug, call.name) });
      expect(viaTumiki, call.name).toEqual(await direct.callTool(call));
    }
    const created = await bundled.callTool({
      name: prefixed(demoSlug, "create_note"),
      arguments: { title: "Bundled", body: "through Tumiki" },
    });
    expect(JSON.parse((created.content as { text: string }[])[0]?.text ?? "{}")).toMatchObject({
      title: "Bundled",
      body: "through Tumiki",
    });
  });

  it("resource links and embedded resources in results carry tumiki.<slug>.<uri>, and read back", async () => {
    type TBlock = { type: string; uri?: string; resource?: { uri: string } };
    const call = { name: "get-resource-links", arguments: { count: 2 } };
    const direct2 = (await direct.callTool(call)).content as TBlock[];
    const bundledLinks = (await bundled.callTool({ ...call, name: prefixed(everythingSlug, call.name) }))
      .content as TBlock[];
    const links = bundledLinks.filter((block) => block.type === "resource_link");
    expect(links.length).toBeGreaterThan(0);
    expect(links.map((block) => block.uri)).toEqual(
      direct2
        .filter((block) => block.type === "resource_link")
        .map((block) => prefixedUri(everythingSlug, block.uri ?? "")),
    );
    // What a client was shown, it can read.
    const read = await bundled.readResource({ uri: links[0]?.uri ?? "" });
    expect(read.contents[0]?.uri).toBe(links[0]?.uri);

    const embeddedCall = {
      name: "get-resource-reference",
      arguments: { resourceType: "Text", resourceId: 1 },
    };
    const embedded = (
      await bundled.callTool({ ...embeddedCall, name: prefixed(everythingSlug, embeddedCall.name) })
    ).content as TBlock[];
    const resource = embedded.find((block) => block.type === "resource")?.resource;
    expect(resource?.uri.startsWith(`tumiki.${everythingSlug}.`)).toBe(true);
    expect((await bundled.readResource({ uri: resource?.uri ?? "" })).contents[0]?.uri).toBe(resource?.uri);
  });

  it("an unknown tool of a known server and an unknown slug both get -32602 from Tumiki", async () => {
    // Directly, the server answers a tool it does not have with a tool error; through Tumiki only
    // tools the server lists pass the instance's tool controls, and anything else is an unknown tool.
    expect((await direct.callTool({ name: "no-such-tool", arguments: {} })).isError).toBe(true);
    await expect(
      bundled.callTool({ name: prefixed(everythingSlug, "no-such-tool"), arguments: {} }),
    ).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("Unknown tool") });
    await expect(bundled.callTool({ name: "nobody__echo", arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it("resources and templates are listed as tumiki.<slug>.<uri> and read back from the right server", async () => {
    const resources = (await direct.listResources()).resources;
    const listed = await bundled.listResources();
    expect(listed.resources).toEqual(
      resources.map((resource) => ({ ...resource, uri: prefixedUri(everythingSlug, resource.uri) })),
    );
    const templates = (await direct.listResourceTemplates()).resourceTemplates;
    expect((await bundled.listResourceTemplates()).resourceTemplates).toEqual(
      templates.map((template) => ({
        ...template,
        uriTemplate: prefixedUri(everythingSlug, template.uriTemplate),
      })),
    );

    for (const resource of listed.resources) {
      const original = resource.uri.slice(prefixedUri(everythingSlug, "").length);
      const expected = await direct.readResource({ uri: original });
      // The contents name the resource as the client knows it, the URI it listed and read.
      expect(await bundled.readResource({ uri: resource.uri }), resource.uri).toEqual({
        ...expected,
        contents: expected.contents.map((content) => ({ ...content, uri: resource.uri })),
      });
    }
    const fromTemplate = await bundled.readResource({
      uri: prefixedUri(everythingSlug, "demo://resource/dynamic/text/42"),
    });
    expect(fromTemplate.contents[0]?.uri).toBe(
      prefixedUri(everythingSlug, "demo://resource/dynamic/text/42"),
    );
    expect((fromTemplate.contents[0] as { text?: string }).text).toMatch(/^Resource 42: This is a plaintext/);
  });

  it("prompts are listed as <slug>__<name> and got (with arguments) from the right server", async () => {
    const prompts = (await direct.listPrompts()).prompts;
    expect((await bundled.listPrompts()).prompts).toEqual(
      prompts.map((prompt) => ({ ...prompt, name: prefixed(everythingSlug, prompt.name) })),
    );
    const args = { city: "Sapporo", state: "Hokkaido" };
    expect(
      await bundled.getPrompt({ name: prefixed(everythingSlug, "args-prompt"), arguments: args }),
    ).toEqual(await direct.getPrompt({ name: "args-prompt", arguments: args }));
    const completion = await bundled.complete({
      ref: { type: "ref/prompt", name: prefixed(everythingSlug, "completable-prompt") },
      argument: { name: "department", value: "Eng" },
    });
    expect(completion.completion.values).toEqual(["Engineering"]);
  });

  it("a call cancelled through Tumiki stops at the backend (aborted, notifications/cancelled received)", async () => {
    const before = await fetchDemoStats();
    const countsBefore = before.mcp.toolCalls.count_slowly ?? { started: 0, completed: 0, aborted: 0 };
    const controller = new AbortController();
    const call = bundled.callTool(
      { name: prefixed(demoSlug, "count_slowly"), arguments: { to: 20, delayMs: 200 } },
      undefined,
      { signal: controller.signal, onprogress: () => controller.abort("enough") },
    );
    await expect(call).rejects.toThrow();

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
  });

  it("a 1.5 MB result arrives intact", async () => {
    const result = await bundled.callTool({
      name: prefixed(demoSlug, "generate_text"),
      arguments: { bytes: 1_500_000 },
    });
    expect(result.isError).toBeFalsy();
    const text = (result.content as { text: string }[])[0]?.text ?? "";
    expect(text.length).toBe(1_500_000);
    expect(text === generateDemoText({ bytes: 1_500_000 })).toBe(true);
  });
});
