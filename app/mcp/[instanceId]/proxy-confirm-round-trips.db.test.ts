import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/server/db";
import { createServerConnection } from "@/server/servers/create-server-connection";
import {
  allowBackendHosts,
  createProxyInstance,
  issueInstanceCredentials,
  readResultText,
  readRpcResponse,
  startTumikiProxy,
  type TTumikiProxy,
} from "@/server/testing/proxy-fixtures";
import { callModern, postModern, type TRawTarget } from "@/server/testing/raw-mcp-requests";
import { startModernBackend, type TModernBackend } from "@/server/testing/start-modern-backend";
import { createTestUser } from "@/server/testing/tier1-fixtures";
import { DELETE, GET, POST } from "./route";

// A confirmed call whose 2026-07-28 backend then asks for input of its own (a multi round-trip
// request): the client's retries carry Tumiki's `wrap` state, which stands for the confirmation given
// (the call reached the backend). Each such state goes on once: sent again, the same retry would run
// the tool again on the strength of one yes, so it is asked about anew and the backend hears nothing.

let proxy: TTumikiProxy;
let backend: TModernBackend;
let target: TRawTarget;
const undo: (() => void)[] = [];

const askNameCalls = () =>
  backend
    .requests()
    .filter(
      (request) =>
        request.rpcMethod === "tools/call" &&
        (request.body as { params?: { name?: string } }).params?.name === "ask_name",
    ).length;

beforeAll(async () => {
  proxy = await startTumikiProxy({ handlers: { GET, POST, DELETE } });
  backend = await startModernBackend({ legacy: "reject", name: "confirm-round-trips" });
  undo.push(allowBackendHosts([backend.hostPort]));
  const user = await createTestUser();
  const { connectionId } = await createServerConnection({
    userId: user.id,
    name: "Asker",
    url: backend.mcpUrl,
    authType: "NONE",
    status: "CONNECTED",
  });
  const instance = await createProxyInstance({ userId: user.id, connectionIds: [connectionId] });
  const { accessToken } = await issueInstanceCredentials({ userId: user.id, instanceId: instance.id });
  target = { url: proxy.mcpUrl(instance.id), bearer: accessToken };
  // The first list records the server's tools; then the owner has ask_name confirmed on every call.
  const listed = await readRpcResponse(
    await postModern(target, { id: "list", method: "tools/list" }),
    "list",
  );
  expect(JSON.stringify(listed.result)).toContain("ask_name");
  const { count } = await getDb().instanceTool.updateMany({
    where: { instanceId: instance.id, name: "ask_name" },
    data: { confirm: true },
  });
  expect(count).toBe(1);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await backend?.close();
  for (const restore of undo.reverse()) restore();
});

describe("a confirmed call whose backend asks for input", () => {
  it("goes on once per state: a replayed retry is asked about anew and never reaches the backend", async () => {
    const asked = await callModern(target, { id: "c1", name: "ask_name" });
    expect(asked.result).toMatchObject({
      resultType: "input_required",
      inputRequests: { tumiki_confirm: {} },
    });

    const confirmed = await callModern(target, {
      id: "c2",
      name: "ask_name",
      retry: {
        inputResponses: { tumiki_confirm: { action: "accept" } },
        requestState: asked.result?.requestState,
      },
    });
    // The backend ran and asks for its own input now (Tumiki's wrap state around the backend's).
    expect(confirmed.result).toMatchObject({ resultType: "input_required", inputRequests: { name: {} } });
    expect(confirmed.result?.inputRequests).not.toHaveProperty("tumiki_confirm");

    const answer = {
      inputResponses: { name: { action: "accept", content: { name: "Ada" } } },
      requestState: confirmed.result?.requestState,
    };
    const done = await callModern(target, { id: "c3", name: "ask_name", retry: answer });
    expect(readResultText(done.result)).toContain("Ada");
    const calls = askNameCalls();

    const replayed = await callModern(target, { id: "c4", name: "ask_name", retry: answer });
    expect(replayed.result).toMatchObject({
      resultType: "input_required",
      inputRequests: { tumiki_confirm: {} },
    });
    expect(askNameCalls()).toBe(calls);
  });
});
