import { TRPCError } from "@trpc/server";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../db";
import { createServerConnection } from "../../servers/create-server-connection";
import { digestToolDefinition } from "../../tool-controls/tool-definition";
import { appRouter } from "../root";
import { createCallerFactory, type TRPCContext } from "../trpc";

// Auth.js imports next/server, which only resolves inside Next; sessions are passed in directly.
vi.mock("../../next-auth", () => ({ auth: async () => null }));

const createCaller = createCallerFactory(appRouter);
let counter = 0;

function callerFor(userId: string | null) {
  const ctx: TRPCContext = {
    session: userId ? { user: { id: userId }, expires: new Date(Date.now() + 60_000).toISOString() } : null,
    headers: new Headers(),
    origin: { ip: "203.0.113.9", userAgent: "router-test" },
  };
  return createCaller(ctx);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
}

async function ownerWithTool() {
  counter += 1;
  const user = await getDb().user.create({
    data: { email: `tool-router-${counter}-${Date.now()}@example.test` },
  });
  const caller = callerFor(user.id);
  const instance = await caller.instance.create({ name: "Agent" });
  const server = await createServerConnection({
    userId: user.id,
    name: `Router notes ${counter}`,
    url: "https://notes.example/mcp",
    authType: "NONE",
    status: "CONNECTED",
  });
  await caller.instance.setConnections({ instanceId: instance.id, connectionIds: [server.connectionId] });
  const definition = { name: "list_notes", description: "List" };
  const pending = { name: "list_notes", description: "List, changed" };
  await getDb().instanceTool.create({
    data: {
      instanceId: instance.id,
      mcpServerId: server.serverId,
      name: "list_notes",
      digest: digestToolDefinition(definition),
      definition,
      pendingDigest: digestToolDefinition(pending),
      pendingDefinition: pending,
    },
  });
  return { user, caller, ids: { instanceId: instance.id, mcpServerId: server.serverId }, pending };
}

describe("toolControls router", () => {
  it("refuses callers without a session", async () => {
    expect(await codeOf(callerFor(null).toolControls.list({ instanceId: "x" }))).toBe("UNAUTHORIZED");
  });

  it("serves the owner, hides the instance from others, and maps a stale approval to CONFLICT", async () => {
    const { caller, ids, pending } = await ownerWithTool();
    const stranger = await ownerWithTool();

    const view = await caller.toolControls.list({ instanceId: ids.instanceId });
    expect(view.servers[0]?.tools[0]).toMatchObject({ name: "list_notes", state: "held_changed" });
    expect(await codeOf(stranger.caller.toolControls.list({ instanceId: ids.instanceId }))).toBe("NOT_FOUND");
    expect(
      await codeOf(
        stranger.caller.toolControls.setOptions({
          instanceId: ids.instanceId,
          pinToolDefinitions: false,
          confirmDestructiveTools: false,
        }),
      ),
    ).toBe("NOT_FOUND");
    expect(await codeOf(caller.toolControls.setOptions({ instanceId: ids.instanceId }))).toBe("BAD_REQUEST");
    expect(
      await codeOf(caller.toolControls.approveChange({ ...ids, name: "list_notes", pendingDigest: "stale" })),
    ).toBe("CONFLICT");
    expect(
      await codeOf(
        caller.toolControls.setSelection({
          ...ids,
          selection: "SOME" as "ALL",
          includeNewTools: true,
          chosen: [],
        }),
      ),
    ).toBe("BAD_REQUEST");

    await caller.toolControls.approveChange({
      ...ids,
      name: "list_notes",
      pendingDigest: digestToolDefinition(pending),
    });
    const after = await caller.toolControls.list({ instanceId: ids.instanceId });
    expect(after.servers[0]?.tools[0]).toMatchObject({
      state: "exposed",
      definition: pending,
      pending: null,
    });
  });
});
