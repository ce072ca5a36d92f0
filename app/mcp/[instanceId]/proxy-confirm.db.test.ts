import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend, type TDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { flushAuditEvents } from "@/server/audit/write-audit-event";
import { getDb } from "@/server/db";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  LEGACY_CONFIRM_CLIENT,
  MODERN_CONFIRM_CLIENT,
  type TConfirmAnswer,
  type TConfirmClient,
  type TConfirmClientOptions,
  type TConfirmEra,
} from "@/server/testing/confirm-clients";
import {
  allowBackendHosts,
  createProxyInstance,
  findToolCallAuditRows,
  issueInstanceCredentials,
  postMcp,
  readResultText,
  readRpcResponse,
  setTestEnv,
  startTumikiProxy,
  type TJsonRpcMessage,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// Confirmation of destructive tool calls (issue 13), through /mcp/{instanceId} to the demo backend's
// notes server, whose `delete_note` is annotated destructiveHint: true and `create_note` has no
// annotations. Real SDK clients of both eras answer Tumiki's question: a 2025-11-25 client (SDK 1.x)
// gets an elicitation/create request on the call's stream, a 2026-07-28 client (SDK 2.x) an
// InputRequiredResult that its SDK fulfils and retries. The backend's own counts say whether a call
// reached it. Instance and tool options are set in the database, as the dashboard would.

let proxy: TTumikiProxy;
let demo: TDemoBackend;
let userId: string;
let connectionId: string;
const undo: (() => void)[] = [];
const closers: (() => Promise<unknown>)[] = [];

/** Every client a test connects, closed at the end. */
async function track(client: Promise<TConfirmClient>): Promise<TConfirmClient> {
  const connected = await client;
  closers.push(() => connected.close());
  return connected;
}

const ERAS = [LEGACY_CONFIRM_CLIENT, MODERN_CONFIRM_CLIENT].map((era) => ({
  ...era,
  connect: (options: TConfirmClientOptions) => track(era.connect(options)),
}));
const [LEGACY, MODERN] = ERAS as [TConfirmEra, TConfirmEra];

/**
 * A fresh instance of the user bundling the demo notes server, with its confirmation option and tool
 * overrides (`confirm` per tool; the rows exist once the server's tools were first seen).
 */
async function confirmingInstance({
  confirmDestructiveTools = true,
  overrides = {},
}: {
  confirmDestructiveTools?: boolean;
  overrides?: Record<string, boolean | null>;
} = {}) {
  const instance = await createProxyInstance({ userId, connectionIds: [connectionId] });
  await getDb().mcpInstance.update({ where: { id: instance.id }, data: { confirmDestructiveTools } });
  const { apiKey } = await issueInstanceCredentials({ userId, instanceId: instance.id });
  const url = proxy.mcpUrl(instance.id);
  if (Object.keys(overrides).length > 0) {
    // The first list records the server's tools for the instance; then the owner's say is set on them.
    const lister = await LEGACY.connect({ url, bearer: apiKey });
    expect(await lister.listTools()).toEqual(expect.arrayContaining(Object.keys(overrides)));
    for (const [name, confirm] of Object.entries(overrides)) {
      const { count } = await getDb().instanceTool.updateMany({
        where: { instanceId: instance.id, name },
        data: { confirm },
      });
      expect(count).toBe(1);
    }
  }
  return { instanceId: instance.id, url, apiKey };
}

/** A note to delete, created through a plain demo connection (create_note needs no confirmation). */
async function createNote(client: TConfirmClient, title: string): Promise<string> {
  const created = await client.callTool("create_note", { title, body: "to be deleted" });
  expect(created.isError, readResultText(created)).toBeFalsy();
  return (JSON.parse(readResultText(created)) as { id: string }).id;
}

const started = (tool: string) => demo.stats.mcp.toolCalls[tool]?.started ?? 0;

async function confirmationRows(instanceId: string) {
  await flushAuditEvents();
  return getDb().auditLog.findMany({
    where: { eventType: "mcp.tool_confirmation", instanceId },
    orderBy: { createdAt: "asc" },
  });
}

const tumikiError = (result: Record<string, unknown>) =>
  (result._meta as Record<string, unknown> | undefined)?.["tumiki/error"] as
    | Record<string, unknown>
    | undefined;

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  demo = await startDemoBackend({ port: 0 });
  undo.push(allowBackendHosts([new URL(demo.origin).host]));
  userId = (await createTestUser()).id;
  ({ connectionId } = await createServerConnection({
    userId,
    name: "Demo notes",
    url: demo.publicMcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  }));
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
  await proxy?.close();
  await demo?.close();
  for (const restore of undo.reverse()) restore();
});

describe.each(ERAS)("confirmation of a destructive call, $label", (era) => {
  it("asks, naming the server, the tool and the arguments; accepted, the backend runs the call once", async () => {
    const { url, apiKey, instanceId } = await confirmingInstance();
    const client = await era.connect({ url, bearer: apiKey, answer: "accept" });
    const id = await createNote(client, "accept me");
    expect(client.asked).toEqual([]);

    const before = started("delete_note");
    const result = await client.callTool("delete_note", { id });
    expect(result.isError, readResultText(result)).toBeFalsy();
    expect(readResultText(result)).toContain(id);
    expect(started("delete_note")).toBe(before + 1);

    expect(client.asked).toHaveLength(1);
    const message = String(client.asked[0]?.message);
    expect(message).toContain("Demo notes");
    expect(message).toContain('"delete_note"');
    expect(message).toContain(`id: "${id}"`);
    expect(client.asked[0]?.requestedSchema).toEqual({ type: "object", properties: {} });

    const rows = await confirmationRows(instanceId);
    expect(rows.map((row) => [row.outcome, row.reason])).toEqual([["SUCCESS", null]]);
    expect(rows[0]?.detail).toMatchObject({ tool: "delete_note" });
    const calls = await findToolCallAuditRows({ instanceId });
    expect(calls.at(-1)).toMatchObject({ outcome: "SUCCESS" });
  });

  it("refuses a declined call with a tool error, and the backend never sees it", async () => {
    const { url, apiKey, instanceId } = await confirmingInstance();
    const client = await era.connect({ url, bearer: apiKey, answer: "decline" });
    const id = await createNote(client, "decline me");
    const before = started("delete_note");

    const result = await client.callTool("delete_note", { id });
    expect(result.isError).toBe(true);
    expect(readResultText(result)).toContain("declined");
    expect(tumikiError(result)).toMatchObject({
      error: "confirmation_declined",
      server: { name: "Demo notes" },
    });
    expect(client.asked).toHaveLength(1);
    expect(started("delete_note")).toBe(before);

    const rows = await confirmationRows(instanceId);
    expect(rows.map((row) => [row.outcome, row.reason])).toEqual([["DENIED", "confirmation_declined"]]);
    const calls = await findToolCallAuditRows({ instanceId });
    expect(calls.at(-1)).toMatchObject({ outcome: "FAILURE", reason: "confirmation_declined" });
  });

  it("refuses a cancelled confirmation too", async () => {
    const { url, apiKey } = await confirmingInstance();
    const client = await era.connect({ url, bearer: apiKey, answer: "cancel" });
    const before = started("delete_note");
    const result = await client.callTool("delete_note", { id: "any" });
    expect(tumikiError(result)).toMatchObject({ error: "confirmation_declined" });
    expect(started("delete_note")).toBe(before);
  });

  it("refuses the call when nobody answers in time, and the backend never sees it", async () => {
    const restore = setTestEnv({ MCP_CONFIRMATION_TIMEOUT_SECONDS: "1" });
    try {
      const { url, apiKey, instanceId } = await confirmingInstance();
      // 2025: the question stays open until Tumiki gives up; 2026-07-28: the answer comes after the
      // deadline the question carried.
      const answer: TConfirmAnswer = era.era === "legacy" ? "never" : { lateMs: 1_500 };
      const client = await era.connect({ url, bearer: apiKey, answer });
      const before = started("delete_note");
      const result = await client.callTool("delete_note", { id: "late" });
      expect(result.isError).toBe(true);
      expect(tumikiError(result)).toMatchObject({ error: "confirmation_timed_out" });
      expect(readResultText(result)).toContain("within 1 second,");
      expect(client.asked).toHaveLength(1);
      expect(started("delete_note")).toBe(before);
      const rows = await confirmationRows(instanceId);
      expect(rows.map((row) => [row.outcome, row.reason])).toEqual([["DENIED", "confirmation_timed_out"]]);
    } finally {
      restore();
    }
  });

  it("refuses the call for a client that cannot elicit, never running it silently", async () => {
    const { url, apiKey, instanceId } = await confirmingInstance();
    const client = await era.connect({ url, bearer: apiKey, elicitation: false });
    const before = started("delete_note");
    const result = await client.callTool("delete_note", { id: "any" });
    expect(result.isError).toBe(true);
    expect(tumikiError(result)).toMatchObject({ error: "confirmation_unavailable" });
    expect(readResultText(result)).toContain("cannot ask");
    expect(started("delete_note")).toBe(before);
    const rows = await confirmationRows(instanceId);
    expect(rows.map((row) => [row.outcome, row.reason])).toEqual([["DENIED", "confirmation_unavailable"]]);
    const calls = await findToolCallAuditRows({ instanceId });
    expect(calls.at(-1)).toMatchObject({ outcome: "FAILURE", reason: "confirmation_unavailable" });
  });

  it("asks nothing for a destructive tool the owner exempted, and asks for a plain tool the owner chose", async () => {
    const { url, apiKey } = await confirmingInstance({
      overrides: { delete_note: false, create_note: true },
    });
    const client = await era.connect({ url, bearer: apiKey, answer: "accept" });

    const createdBefore = started("create_note");
    const id = await createNote(client, "chosen for confirmation");
    expect(client.asked).toHaveLength(1);
    expect(String(client.asked[0]?.message)).toContain('"create_note"');
    expect(started("create_note")).toBe(createdBefore + 1);

    const before = started("delete_note");
    const result = await client.callTool("delete_note", { id });
    expect(result.isError, readResultText(result)).toBeFalsy();
    expect(client.asked).toHaveLength(1);
    expect(started("delete_note")).toBe(before + 1);
  });

  it("asks nothing when the instance does not confirm destructive tools", async () => {
    const { url, apiKey } = await confirmingInstance({ confirmDestructiveTools: false });
    const client = await era.connect({ url, bearer: apiKey, answer: "decline" });
    const id = await createNote(client, "no confirmation");
    const before = started("delete_note");
    const result = await client.callTool("delete_note", { id });
    expect(result.isError, readResultText(result)).toBeFalsy();
    expect(client.asked).toEqual([]);
    expect(started("delete_note")).toBe(before + 1);
  });
});

describe("a 2025-11-25 client that cancels the call while it is asked", () => {
  it("ends the wait at once, and the backend never sees the call", async () => {
    const { url, apiKey, instanceId } = await confirmingInstance();
    const cancel = new AbortController();
    const client = await LEGACY.connect({
      url,
      bearer: apiKey,
      answer: "never",
      onAsk: () => cancel.abort(),
    });
    const before = started("delete_note");
    await expect(
      client.callTool("delete_note", { id: "cancelled" }, { signal: cancel.signal }),
    ).rejects.toThrow();
    // The default timeout (120 s) is far away: the row can only come from the cancellation.
    let rows = await confirmationRows(instanceId);
    for (let tries = 0; rows.length === 0 && tries < 100; tries += 1) {
      await sleep(100);
      rows = await confirmationRows(instanceId);
    }
    expect(rows.map((row) => [row.outcome, row.reason])).toEqual([["DENIED", "cancelled"]]);
    const calls = await findToolCallAuditRows({ instanceId });
    expect(calls.at(-1)).toMatchObject({ outcome: "FAILURE", reason: "cancelled" });
    expect(started("delete_note")).toBe(before);
  });
});

describe("a 2025-11-25 client's error answer", () => {
  it("refuses the call", async () => {
    const { url, apiKey } = await confirmingInstance();
    const client = await LEGACY.connect({ url, bearer: apiKey, answer: "error" });
    const before = started("delete_note");
    const result = await client.callTool("delete_note", { id: "any" });
    expect(tumikiError(result)).toMatchObject({ error: "confirmation_declined" });
    expect(client.asked).toHaveLength(1);
    expect(started("delete_note")).toBe(before);
  });
});

/** A 2026-07-28 tools/call of delete_note, raw, with form elicitation declared and optional retry fields. */
async function modernDelete(
  url: string,
  bearer: string,
  id: string,
  noteId: string,
  retry: Record<string, unknown> = {},
): Promise<TJsonRpcMessage> {
  const response = await postMcp({
    url,
    bearer,
    message: {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name: "delete_note",
        arguments: { id: noteId },
        ...retry,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
        },
      },
    },
    headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "delete_note" },
  });
  expect(response.status).toBe(200);
  return readRpcResponse(response, id);
}

describe("a 2026-07-28 confirmation's requestState", () => {
  it("runs the call once: a replayed confirmed retry is refused without reaching the backend", async () => {
    const { url, apiKey, instanceId } = await confirmingInstance();
    const creator = await MODERN.connect({ url, bearer: apiKey });
    const noteId = await createNote(creator, "replayed");

    const first = await modernDelete(url, apiKey, "r1", noteId);
    expect(first.result).toMatchObject({
      resultType: "input_required",
      inputRequests: {
        tumiki_confirm: { method: "elicitation/create", params: { message: expect.any(String) } },
      },
      requestState: expect.any(String),
    });
    const retry = {
      inputResponses: { tumiki_confirm: { action: "accept" } },
      requestState: first.result?.requestState,
    };
    const before = started("delete_note");
    const confirmed = await modernDelete(url, apiKey, "r2", noteId, retry);
    expect(confirmed.result?.isError, JSON.stringify(confirmed)).toBeFalsy();
    expect(started("delete_note")).toBe(before + 1);

    const replayed = await modernDelete(url, apiKey, "r3", noteId, retry);
    expect(replayed.result).toMatchObject({
      resultType: "complete",
      isError: true,
      _meta: { "tumiki/error": { error: "confirmation_reused" } },
    });
    expect(started("delete_note")).toBe(before + 1);

    const rows = await confirmationRows(instanceId);
    expect(rows.map((row) => [row.outcome, row.reason])).toEqual([
      ["SUCCESS", null],
      ["DENIED", "confirmation_reused"],
    ]);
  });

  it("cannot turn an answered no into a yes, nor confirm other arguments", async () => {
    const { url, apiKey } = await confirmingInstance();
    const first = await modernDelete(url, apiKey, "d1", "note-a");
    const state = first.result?.requestState;
    const before = started("delete_note");

    const declined = await modernDelete(url, apiKey, "d2", "note-a", {
      inputResponses: { tumiki_confirm: { action: "decline" } },
      requestState: state,
    });
    expect(declined.result).toMatchObject({ _meta: { "tumiki/error": { error: "confirmation_declined" } } });
    const flipped = await modernDelete(url, apiKey, "d3", "note-a", {
      inputResponses: { tumiki_confirm: { action: "accept" } },
      requestState: state,
    });
    expect(flipped.result).toMatchObject({ _meta: { "tumiki/error": { error: "confirmation_reused" } } });

    // The state is bound to the tool and its arguments: for another note it is no confirmation, and
    // the user is asked again.
    const fresh = await modernDelete(url, apiKey, "d4", "note-a");
    const other = await modernDelete(url, apiKey, "d5", "note-b", {
      inputResponses: { tumiki_confirm: { action: "accept" } },
      requestState: fresh.result?.requestState,
    });
    expect(other.result).toMatchObject({ resultType: "input_required" });
    expect(started("delete_note")).toBe(before);
  });

  it("asks again when the retry carries no answer", async () => {
    const { url, apiKey } = await confirmingInstance();
    const first = await modernDelete(url, apiKey, "m1", "note-c");
    const again = await modernDelete(url, apiKey, "m2", "note-c", {
      requestState: first.result?.requestState,
    });
    expect(again.result).toMatchObject({
      resultType: "input_required",
      inputRequests: { tumiki_confirm: {} },
    });
    expect(again.result?.requestState).not.toBe(first.result?.requestState);
  });
});
