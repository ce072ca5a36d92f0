import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as scrapeRoute } from "@/app/api/metrics/route";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import {
  addDemoOAuthServer,
  allowBackendHosts,
  connectMcpClient,
  createProxyInstance,
  issueInstanceCredentials,
  postMcp,
  readResultText,
  setTestEnv,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { callModern, openLegacy } from "@/server/testing/raw-mcp-requests";
import { readPrometheusText, sumSamples, type TSample } from "@/server/testing/read-prometheus-text";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// The figures of GET /api/metrics after a scripted sequence through the real proxy, the demo backend
// and its real authorization server: tool calls that succeed and fail (an isError result), a 2026-07-28
// call, refused credentials of each kind, a backend token refreshed after the backend stopped taking
// it, and a refresh the authorization server answers with invalid_grant. The registry is process-wide,
// so every assertion is a difference between a scrape before and one after.

const METRICS_TOKEN = randomBytes(24).toString("hex");
const account = `metrics-${randomUUID()}`;
let proxy: TTumikiProxy;
let backend: TDemoBackend;
const undo: (() => void)[] = [];
const clients: Client[] = [];
let target: { url: string; userId: string; instanceId: string; accessToken: string; apiKey: string };
let slug: string;

async function scrape(): Promise<{ text: string; samples: TSample[] }> {
  const response = await scrapeRoute(
    new Request("http://localhost/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }),
  );
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: readPrometheusText(text) };
}

const delta = (before: TSample[], after: TSample[], name: string, labels: Record<string, string>) =>
  sumSamples(after, name, labels) - sumSamples(before, name, labels);

beforeAll(async () => {
  undo.push(setTestEnv({ METRICS_TOKEN }));
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  backend = await startDemoBackend({ port: 0, autoApproveAccount: account });
  undo.push(allowBackendHosts([new URL(backend.origin).host]));
  const userId = (await createTestUser()).id;
  const server = await addDemoOAuthServer({ userId, backend });
  slug = server.slug;
  const instance = await createProxyInstance({ userId, connectionIds: [server.connectionId] });
  const { accessToken, apiKey } = await issueInstanceCredentials({ userId, instanceId: instance.id });
  target = { url: proxy.mcpUrl(instance.id), userId, instanceId: instance.id, accessToken, apiKey };
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await proxy?.close();
  await backend?.close();
  for (const restore of undo.reverse()) restore();
});

describe("metrics after a scripted sequence through /mcp", () => {
  let before: TSample[];
  let after: { text: string; samples: TSample[] };

  beforeAll(async () => {
    before = (await scrape()).samples;

    const client = await connectMcpClient({ url: target.url, bearer: target.accessToken });
    clients.push(client);
    const ok = await client.callTool({ name: "list_notes", arguments: {} });
    expect(ok.isError, readResultText(ok)).toBeFalsy();
    // The backend refuses the arguments: an isError result, relayed as the backend sent it.
    const refused = await client.callTool({ name: "create_note", arguments: { title: "" } });
    expect(refused.isError).toBe(true);

    const modern = await callModern(
      { url: target.url, bearer: target.accessToken },
      { id: "m1", name: "list_notes" },
    );
    expect(modern.result?.isError).toBeFalsy();

    for (const bearer of [undefined, "not-a-token", `tumiki_${randomBytes(24).toString("base64url")}`]) {
      const response = await postMcp({
        url: target.url,
        bearer,
        message: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
      });
      expect(response.status).toBe(401);
    }

    // The backend stops taking its access token; the refresh token still works: one refresh, success.
    await backend.expireAccessTokensOf(account);
    const refreshed = await client.callTool({ name: "list_notes", arguments: {} });
    expect(refreshed.isError, readResultText(refreshed)).toBeFalsy();

    // The grant is revoked: the forced refresh gets invalid_grant and the call fails (reconnect).
    await backend.revokeGrantsOf(account);
    const gone = await client.callTool({ name: "list_notes", arguments: {} });
    expect(gone.isError).toBe(true);
    expect(readResultText(gone)).toContain("/servers?reconnect=");

    after = await scrape();
  });

  it("counts /mcp requests per method, server, outcome and era (isError results are failures)", () => {
    const calls = { method: "tools/call", server: slug };
    const legacy = { era: "2025-11-25" };
    const name = "tumiki_mcp_requests_total";
    expect(delta(before, after.samples, name, { ...calls, ...legacy, outcome: "success" })).toBe(2);
    expect(delta(before, after.samples, name, { ...calls, ...legacy, outcome: "failure" })).toBe(2);
    expect(delta(before, after.samples, name, { ...calls, era: "2026-07-28", outcome: "success" })).toBe(1);
    expect(delta(before, after.samples, name, { ...calls, era: "2026-07-28", outcome: "failure" })).toBe(0);
    expect(
      delta(before, after.samples, name, { method: "initialize", server: "tumiki", outcome: "success" }),
    ).toBe(1);
    const durations = "tumiki_mcp_request_duration_seconds_count";
    expect(delta(before, after.samples, durations, { method: "tools/call", outcome: "success" })).toBe(3);
    expect(delta(before, after.samples, durations, { method: "tools/call", outcome: "failure" })).toBe(2);
  });

  it("counts backend token refreshes by outcome", () => {
    const name = "tumiki_backend_token_refreshes_total";
    expect(delta(before, after.samples, name, { outcome: "success" })).toBe(1);
    expect(delta(before, after.samples, name, { outcome: "invalid_grant" })).toBe(1);
    expect(delta(before, after.samples, name, { outcome: "transient_failure" })).toBe(0);
  });

  it("counts tier-1 authentications by the kind of credential and outcome", () => {
    const name = "tumiki_auth_attempts_total";
    expect(delta(before, after.samples, name, { kind: "oauth", outcome: "success" })).toBeGreaterThanOrEqual(
      6,
    );
    expect(delta(before, after.samples, name, { kind: "oauth", outcome: "failure" })).toBe(0);
    expect(delta(before, after.samples, name, { kind: "none", outcome: "failure" })).toBe(1);
    expect(delta(before, after.samples, name, { kind: "unknown", outcome: "failure" })).toBe(1);
    expect(delta(before, after.samples, name, { kind: "api_key", outcome: "failure" })).toBe(1);
  });

  it("counts HTTP requests of the mcp route family by status, and backend latency per server", () => {
    expect(
      delta(before, after.samples, "tumiki_http_requests_total", {
        route: "mcp",
        method: "POST",
        status: "401",
      }),
    ).toBe(3);
    expect(
      delta(before, after.samples, "tumiki_http_request_duration_seconds_count", {
        route: "mcp",
        outcome: "client_error",
      }),
    ).toBe(3);
    expect(
      delta(before, after.samples, "tumiki_backend_request_duration_seconds_count", { server: slug }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      delta(before, after.samples, "tumiki_backend_request_duration_seconds_count", {
        server: slug,
        outcome: "http_error",
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it("names no user, instance, credential or account in any label value", () => {
    const secrets = [target.userId, target.instanceId, target.accessToken, target.apiKey, account];
    for (const sample of after.samples) {
      for (const value of Object.values(sample.labels)) {
        for (const secret of secrets) expect(value).not.toContain(secret);
        expect(value).not.toMatch(/^https?:\/\//);
      }
    }
    for (const secret of secrets) expect(after.text).not.toContain(secret);
  });
});

describe("the open streams gauge", () => {
  // A user and backend of their own: the grant of the sequence above was revoked.
  let other: TDemoBackend;
  let fresh: { url: string; accessToken: string };
  beforeAll(async () => {
    other = await startDemoBackend({ port: 0, autoApproveAccount: `${account}-2` });
    undo.push(allowBackendHosts([new URL(other.origin).host]));
    const userId = (await createTestUser()).id;
    const server = await addDemoOAuthServer({ userId, backend: other });
    const instance = await createProxyInstance({ userId, connectionIds: [server.connectionId] });
    const { accessToken } = await issueInstanceCredentials({ userId, instanceId: instance.id });
    fresh = { url: proxy.mcpUrl(instance.id), accessToken };
  });
  afterAll(async () => {
    await other?.close();
  });

  const gauge = async (kind: string) => sumSamples((await scrape()).samples, "tumiki_open_streams", { kind });

  it("counts a tool call's stream while it is open, and not once it has ended", async () => {
    const start = await gauge("call");
    const session = await openLegacy({ url: fresh.url, bearer: fresh.accessToken });
    const response = await session.post({
      jsonrpc: "2.0",
      id: "stream-1",
      method: "tools/call",
      params: { name: "count_slowly", arguments: { to: 3, delayMs: 200 }, _meta: { progressToken: "p" } },
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body?.getReader();
    await reader?.read();
    expect(await gauge("call")).toBe(start + 1);
    // Read to the end: the stream's last event is the call's result.
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {}
    expect(await gauge("call")).toBe(start);
  });

  it("goes up while a 2025 session's GET stream is open and back down once it closes", async () => {
    const waitFor = async (expected: number) => {
      for (let tries = 0; tries < 100 && (await gauge("session")) !== expected; tries += 1) await sleep(50);
      return gauge("session");
    };
    const start = await gauge("session");
    const client = await connectMcpClient({ url: fresh.url, bearer: fresh.accessToken });
    // The SDK opens the session's GET stream right after initialize.
    expect(await waitFor(start + 1)).toBe(start + 1);
    await client.close();
    expect(await waitFor(start)).toBe(start);
  });
});
