import { setTimeout as sleep } from "node:timers/promises";
import {
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  CLIENT_ROOTS,
  connectLegacyClient,
  connectModernClient,
  ELICITED_NAME,
  roundRobinFetch,
  SAMPLED_TEXT,
  type TAsked,
} from "@/server/testing/era-clients";
import {
  allowBackendHosts,
  createProxyInstance,
  hostPortOf,
  issueInstanceCredentials,
  readResultText,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { startEverythingServer, type TEverythingServer } from "@/server/testing/start-everything-server";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { startTumikiProcess, type TTumikiProcess } from "@/server/testing/start-tumiki-process";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Every pair of client era and backend era, through two Tumiki processes that share only PostgreSQL
// and Redis. Each client's requests alternate between the two (a round-robin load balancer), so the
// answer to a backend's request, the retry of a multi round-trip request, the subscription and the
// call that triggers its notification each land on another process than the one before.
//
// Clients: the 2025-11-25 MCP SDK (1.x, sessions), the 2.x SDK pinned to 2026-07-28, the 2.x SDK
// negotiating on its own (it must pick 2026-07-28). Backends: a 2026-07-28-only server (2.x SDK,
// `legacy: "reject"`), a dual-era server with 2025 sessions (2.x SDK), and a 2025-only server
// (@modelcontextprotocol/server-everything, 1.x). For each: tools, progress, elicitation in form and
// URL mode, sampling, roots, resources, prompts, cancellation, resource subscriptions and list changes,
// each seen from the client, and cancellation also from the backend.

type TBackendKind = "modern-only" | "dual" | "legacy-only";

type TCallOptions = { onprogress?: (progress: unknown) => void; signal?: AbortSignal };

/** The part of both SDKs' clients the tests use, under one shape. */
type TEraClient = {
  era: "legacy" | "modern";
  asked: TAsked;
  callTool(name: string, args?: Record<string, unknown>, options?: TCallOptions): Promise<unknown>;
  listTools(): Promise<string[]>;
  readResource(uri: string): Promise<string>;
  getPrompt(name: string, args?: Record<string, string>): Promise<string>;
  /** Subscribes (2025: resources/subscribe; 2026: a listen stream) and collects what arrives. */
  watch(uri: string): Promise<{ updates: string[]; toolListChanges: () => number; stop(): Promise<void> }>;
  close(): Promise<void>;
};

type TClientKind = { label: string; connect(url: string, bearer: string): Promise<TEraClient> };

let proxy: TTumikiProxy;
let second: TTumikiProcess;
let modernOnly: TModernBackend;
let dual: TModernBackend;
let everything: TEverythingServer;
let restoreHosts: () => void;
const instances = new Map<TBackendKind, { id: string; apiKey: string }>();
let balanced: typeof fetch;

beforeAll(async () => {
  [modernOnly, dual, everything] = await Promise.all([
    startModernBackend({ legacy: "reject", name: "modern-only" }),
    startModernBackend({ legacy: "sessions", name: "dual" }),
    startEverythingServer(),
  ]);
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  restoreHosts = allowBackendHosts([modernOnly.hostPort, dual.hostPort, hostPortOf(everything.mcpUrl)]);
  second = await startTumikiProcess({ env: { APP_URL: proxy.origin, LOG_LEVEL: "silent" } });
  balanced = roundRobinFetch([proxy.origin, second.origin]);

  const user = await createTestUser();
  const backends: [TBackendKind, string, string][] = [
    ["modern-only", "Modern only", modernOnly.mcpUrl],
    ["dual", "Dual era", dual.mcpUrl],
    ["legacy-only", "Everything", everything.mcpUrl],
  ];
  for (const [kind, name, url] of backends) {
    const { connectionId } = await createServerConnection({
      userId: user.id,
      name,
      url,
      authType: "NONE",
      status: "CONNECTED",
    });
    const instance = await createProxyInstance({ userId: user.id, connectionIds: [connectionId] });
    const { apiKey } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
    instances.set(kind, { id: instance.id, apiKey });
  }
}, 120_000);

afterAll(async () => {
  await second?.close();
  await proxy?.close();
  restoreHosts?.();
  await Promise.all([modernOnly?.close(), dual?.close(), everything?.close()]);
});

const textOf = (result: unknown) => readResultText(result);

const CLIENTS: TClientKind[] = [
  {
    label: "a 2025-11-25 client (SDK 1.x)",
    async connect(url, bearer) {
      const { client, asked } = await connectLegacyClient({ url, bearer, fetch: balanced });
      return {
        era: "legacy",
        asked,
        callTool: (name, args = {}, options) =>
          client.callTool({ name, arguments: args }, undefined, options),
        listTools: async () => (await client.listTools()).tools.map((tool) => tool.name),
        readResource: async (uri) => JSON.stringify((await client.readResource({ uri })).contents),
        getPrompt: async (name, args) =>
          JSON.stringify((await client.getPrompt({ name, arguments: args })).messages),
        async watch(uri) {
          const updates: string[] = [];
          let toolListChanges = 0;
          client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
            updates.push(notification.params.uri);
          });
          client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
            toolListChanges += 1;
          });
          await client.subscribeResource({ uri });
          return {
            updates,
            toolListChanges: () => toolListChanges,
            stop: async () => {
              await client.unsubscribeResource({ uri });
            },
          };
        },
        close: () => client.close(),
      };
    },
  },
  ...(["pin", "auto"] as const).map(
    (mode): TClientKind => ({
      label:
        mode === "pin" ? "a 2026-07-28 client (SDK 2.x, pinned)" : "a negotiating client (SDK 2.x, auto)",
      async connect(url, bearer) {
        const { client, asked } = await connectModernClient({ url, bearer, fetch: balanced, mode });
        return {
          era: client.getProtocolEra() === "modern" ? "modern" : "legacy",
          asked,
          callTool: (name, args = {}, options) => client.callTool({ name, arguments: args }, options),
          listTools: async () =>
            (await client.listTools(undefined, { cacheMode: "bypass" })).tools.map((tool) => tool.name),
          readResource: async (uri) =>
            JSON.stringify((await client.readResource({ uri }, { cacheMode: "bypass" })).contents),
          getPrompt: async (name, args) =>
            JSON.stringify((await client.getPrompt({ name, arguments: args })).messages),
          async watch(uri) {
            const updates: string[] = [];
            let toolListChanges = 0;
            client.setNotificationHandler("notifications/resources/updated", (notification) => {
              updates.push(notification.params.uri);
            });
            client.setNotificationHandler("notifications/tools/list_changed", () => {
              toolListChanges += 1;
            });
            const subscription = await client.listen({
              resourceSubscriptions: [uri],
              toolsListChanged: true,
            });
            expect(subscription.honoredFilter.resourceSubscriptions).toEqual([uri]);
            return { updates, toolListChanges: () => toolListChanges, stop: () => subscription.close() };
          },
          close: () => client.close(),
        };
      },
    }),
  ),
];

/** How each backend offers the features under test. */
const SCRIPTS = {
  fixture: {
    echo: { name: "echo", args: { text: "hello" }, expect: "hello" },
    progress: { name: "count_slowly", args: { n: 3, delayMs: 50 }, steps: 3 },
    form: { name: "ask_name", args: {}, expect: `Hello, ${ELICITED_NAME}` },
    url: {
      name: "open_link",
      args: { url: "https://example.com/consent" },
      expect: "URL elicitation: accept",
    },
    sampling: { name: "summarize", args: { text: "a long text" }, expect: SAMPLED_TEXT },
    roots: { name: "list_my_roots", args: {}, expect: CLIENT_ROOTS[0]?.uri ?? "" },
    resource: { uri: "note://welcome", expect: "Welcome to the modern backend." },
    prompt: { name: "greet", args: { name: "Ada" }, expect: "Hello, Ada!" },
    slow: { name: "wait_until_cancelled", args: {} },
    subscribed: { uri: "note://subscribed", touch: { name: "touch_resource", args: {} } },
  },
  everything: {
    echo: { name: "echo", args: { message: "hello" }, expect: "hello" },
    progress: { name: "trigger-long-running-operation", args: { duration: 1, steps: 3 }, steps: 3 },
    form: { name: "trigger-elicitation-request", args: {}, expect: ELICITED_NAME },
    url: {
      name: "trigger-url-elicitation",
      args: { url: "https://example.com/consent" },
      expect: "accept",
    },
    sampling: { name: "trigger-sampling-request", args: { prompt: "a long text" }, expect: SAMPLED_TEXT },
    roots: { name: "get-roots-list", args: {}, expect: CLIENT_ROOTS[0]?.uri ?? "" },
    resource: { uri: "demo://resource/static/document/architecture.md", expect: "rchitecture" },
    prompt: { name: "simple-prompt", args: {}, expect: "simple prompt" },
    slow: { name: "trigger-long-running-operation", args: { duration: 30, steps: 30 } },
    // server-everything sends updates of subscribed resources every few seconds once toggled on.
    subscribed: {
      uri: "demo://resource/static/document/architecture.md",
      touch: { name: "toggle-subscriber-updates", args: {} },
    },
  },
} as const;

const BACKENDS: {
  kind: TBackendKind;
  label: string;
  script: (typeof SCRIPTS)[keyof typeof SCRIPTS];
  fixture: () => TModernBackend | null;
}[] = [
  {
    kind: "modern-only",
    label: "a 2026-07-28-only backend",
    script: SCRIPTS.fixture,
    fixture: () => modernOnly,
  },
  {
    kind: "dual",
    label: "a dual-era backend with 2025 sessions",
    script: SCRIPTS.fixture,
    fixture: () => dual,
  },
  {
    kind: "legacy-only",
    label: "a 2025-only backend (server-everything)",
    script: SCRIPTS.everything,
    fixture: () => null,
  },
];

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(50);
  }
}

/**
 * Makes the backend change something until the client hears of it: a stream that was still being set
 * up (Tumiki's own stream to the backend) when the first change happened misses it, as a client
 * connecting to the backend directly would.
 */
async function triggerUntil(
  trigger: () => Promise<unknown>,
  heard: () => boolean,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!heard()) {
    if (Date.now() > deadline) throw new Error("the client never heard of the change");
    await trigger();
    await waitFor(heard, 1_000).catch(() => undefined);
  }
}

describe.each(BACKENDS)("$label", ({ kind, script, fixture }) => {
  describe.each(CLIENTS)("from $label", ({ label, connect }) => {
    let client: TEraClient;

    beforeAll(async () => {
      const instance = instances.get(kind);
      if (!instance) throw new Error(`no instance for ${kind}`);
      client = await connect(proxy.mcpUrl(instance.id), instance.apiKey);
    }, 60_000);

    afterAll(async () => {
      await client?.close();
    });

    it("speaks the client's own era", () => {
      expect(client.era).toBe(label.includes("2025-11-25") ? "legacy" : "modern");
    });

    it("lists and calls tools", async () => {
      const tools = await client.listTools();
      expect(tools).toEqual(
        expect.arrayContaining([script.echo.name, script.form.name, script.sampling.name]),
      );
      expect(textOf(await client.callTool(script.echo.name, script.echo.args))).toContain(script.echo.expect);
    });

    it("relays progress, each before the result", async () => {
      const progress: unknown[] = [];
      const result = await client.callTool(script.progress.name, script.progress.args, {
        onprogress: (update) => progress.push(update),
      });
      expect(progress.length).toBeGreaterThanOrEqual(script.progress.steps);
      expect((result as { isError?: boolean }).isError ?? false).toBe(false);
    });

    it("brings a form elicitation to the client and its answer to the backend", async () => {
      const before = client.asked.length;
      const result = await client.callTool(script.form.name, script.form.args);
      expect(textOf(result)).toContain(script.form.expect);
      const asked = client.asked.slice(before);
      expect(asked.map((entry) => entry.method)).toEqual(["elicitation/create"]);
      expect(asked[0]?.params.mode ?? "form").toBe("form");
    });

    it("brings a URL elicitation to the client, in the client's era's shape", async () => {
      const before = client.asked.length;
      const result = await client.callTool(script.url.name, script.url.args);
      expect(textOf(result)).toContain(script.url.expect);
      const [asked] = client.asked.slice(before);
      expect(asked?.params).toMatchObject({ mode: "url", url: "https://example.com/consent" });
      // 2025-11-25 requires an elicitationId; 2026-07-28 removed it.
      if (client.era === "legacy") expect(typeof asked?.params.elicitationId).toBe("string");
      else expect(asked?.params).not.toHaveProperty("elicitationId");
    });

    it("brings a sampling request to the client and the model's answer to the backend", async () => {
      const before = client.asked.length;
      const result = await client.callTool(script.sampling.name, script.sampling.args);
      expect(textOf(result)).toContain(script.sampling.expect);
      expect(client.asked.slice(before).map((entry) => entry.method)).toEqual(["sampling/createMessage"]);
    });

    it("asks the client for its roots on the backend's behalf", async () => {
      const result = await client.callTool(script.roots.name, script.roots.args);
      expect(textOf(result)).toContain(script.roots.expect);
    });

    it("reads resources and gets prompts", async () => {
      expect(await client.readResource(script.resource.uri)).toContain(script.resource.expect);
      expect((await client.getPrompt(script.prompt.name, script.prompt.args)).toLowerCase()).toContain(
        script.prompt.expect.toLowerCase(),
      );
    });

    it("cancels a call at the backend when the client aborts it", async () => {
      const backend = fixture();
      const cancelledBefore = backend?.cancelledCount() ?? 0;
      const controller = new AbortController();
      const call = client.callTool(script.slow.name, script.slow.args, { signal: controller.signal });
      await sleep(500);
      controller.abort();
      await expect(call).rejects.toThrow();
      if (backend) await waitFor(() => backend.cancelledCount() > cancelledBefore);
      // The client goes on working after its abort.
      expect(textOf(await client.callTool(script.echo.name, script.echo.args))).toContain(script.echo.expect);
    });

    it("delivers updates of a subscribed resource", async () => {
      const watch = await client.watch(script.subscribed.uri);
      const touch = () => client.callTool(script.subscribed.touch.name, script.subscribed.touch.args);
      try {
        if (kind === "legacy-only") {
          // server-everything sends updates every few seconds once toggled on (and until toggled off).
          await touch();
          await waitFor(() => watch.updates.includes(script.subscribed.uri));
        } else {
          await triggerUntil(touch, () => watch.updates.includes(script.subscribed.uri));
        }
      } finally {
        await watch.stop();
        if (kind === "legacy-only") await touch();
      }
    }, 30_000);
  });
});

// server-everything never changes its lists: list changes are seen with the two 2.x backends.
describe.each(BACKENDS.filter(({ kind }) => kind !== "legacy-only"))("$label", ({ kind }) => {
  describe.each(CLIENTS)("from $label", ({ connect }) => {
    it("tells the client when the backend's tools change", async () => {
      const instance = instances.get(kind);
      if (!instance) throw new Error(`no instance for ${kind}`);
      const client = await connect(proxy.mcpUrl(instance.id), instance.apiKey);
      const watch = await client.watch(SCRIPTS.fixture.subscribed.uri);
      try {
        const name = `dynamic_${Math.random().toString(36).slice(2, 8)}`;
        let added = false;
        await triggerUntil(
          async () => {
            await client.callTool("change_tools", { action: added ? "remove" : "add", name });
            added = !added;
          },
          () => watch.toolListChanges() > 0,
        );
        if (!added) await client.callTool("change_tools", { action: "add", name });
        expect(await client.listTools()).toContain(name);
        await client.callTool("change_tools", { action: "remove", name });
      } finally {
        await watch.stop();
        await client.close();
      }
    }, 30_000);
  });
});
