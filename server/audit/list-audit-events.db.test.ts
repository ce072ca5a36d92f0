import { describe, expect, it } from "vitest";
import { getDb } from "../db";
import type { AuditOutcome } from "../generated/prisma/client";
import { AUDIT_PAGE_SIZE } from "./audit-log-schemas";
import { listAuditEvents } from "./list-audit-events";

const db = getDb();
let counter = 0;

async function createUser() {
  counter += 1;
  return db.user.create({ data: { email: `audit-${counter}-${Date.now()}@example.test` } });
}

type Row = {
  eventType?: string;
  outcome?: AuditOutcome;
  actorUserId?: string;
  clientId?: string;
  instanceId?: string;
  createdAt?: Date;
};

async function insert(rows: Row[]) {
  await db.auditLog.createMany({
    data: rows.map((row) => ({ eventType: "auth.sign_in", outcome: "SUCCESS", ...row })),
  });
}

describe("listAuditEvents", () => {
  it("returns only the signed-in user's events, newest first", async () => {
    const user = await createUser();
    const other = await createUser();
    await insert([
      { actorUserId: user.id, eventType: "auth.sign_in", createdAt: new Date("2025-01-01T10:00:00Z") },
      { actorUserId: user.id, eventType: "auth.sign_out", createdAt: new Date("2025-01-02T10:00:00Z") },
      { actorUserId: other.id, eventType: "auth.sign_in", createdAt: new Date("2025-01-03T10:00:00Z") },
    ]);

    const page = await listAuditEvents({ userId: user.id });

    expect(page.events.map((event) => event.eventType)).toEqual(["auth.sign_out", "auth.sign_in"]);
    expect(page).toMatchObject({ page: 1, pageSize: AUDIT_PAGE_SIZE, hasNextPage: false });
    expect(await listAuditEvents({ userId: (await createUser()).id })).toMatchObject({ events: [] });
  });

  it("filters by type, outcome, client, instance and dates, and names the user's instance and client", async () => {
    const user = await createUser();
    const instance = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const client = await db.aiClient.create({
      data: { clientId: `dyn-${counter}`, kind: "DYNAMIC", name: "Claude Code" },
    });
    await insert([
      { actorUserId: user.id, eventType: "oauth.token_issued", clientId: client.id, instanceId: instance.id },
      { actorUserId: user.id, eventType: "oauth.token_issued", clientId: client.id, outcome: "FAILURE" },
      { actorUserId: user.id, eventType: "mcp.scope_denied", outcome: "DENIED", instanceId: instance.id },
      { actorUserId: user.id, eventType: "auth.sign_in", createdAt: new Date("2024-06-15T12:00:00Z") },
    ]);

    const byType = await listAuditEvents({ userId: user.id, eventType: "oauth.token_issued" });
    expect(byType.events).toHaveLength(2);
    expect(byType.events.every((event) => event.clientName === "Claude Code")).toBe(true);

    const byOutcome = await listAuditEvents({ userId: user.id, outcome: "DENIED" });
    expect(byOutcome.events.map((event) => event.eventType)).toEqual(["mcp.scope_denied"]);

    const byClient = await listAuditEvents({ userId: user.id, clientId: client.id });
    expect(byClient.events).toHaveLength(2);

    const byInstance = await listAuditEvents({ userId: user.id, instanceId: instance.id });
    expect(byInstance.events).toHaveLength(2);
    expect(byInstance.events.every((event) => event.instanceName === "Work")).toBe(true);

    const byDate = await listAuditEvents({
      userId: user.id,
      from: new Date("2024-06-15T00:00:00Z"),
      to: new Date("2024-06-15T23:59:59.999Z"),
    });
    expect(byDate.events.map((event) => event.eventType)).toEqual(["auth.sign_in"]);
    const after = await listAuditEvents({ userId: user.id, from: new Date("2024-06-16T00:00:00Z") });
    expect(after.events).toHaveLength(3);
  });

  it("shows events naming the user's instances, even without the user as actor", async () => {
    const user = await createUser();
    const other = await createUser();
    const mine = await db.mcpInstance.create({ data: { userId: user.id, name: "Mine" } });
    const theirs = await db.mcpInstance.create({ data: { userId: other.id, name: "Theirs" } });
    await insert([
      // A token request naming the instance fails before anyone is known.
      { eventType: "oauth.token_issued", outcome: "FAILURE", instanceId: mine.id },
      { eventType: "mcp.auth_failed", outcome: "DENIED", actorUserId: other.id, instanceId: mine.id },
      { eventType: "mcp.auth_failed", outcome: "DENIED", instanceId: theirs.id },
      { eventType: "auth.sign_in", actorUserId: other.id },
      { eventType: "mcp.auth_failed", outcome: "DENIED" },
    ]);

    const page = await listAuditEvents({ userId: user.id });
    expect(page.events.map((event) => [event.eventType, event.instanceName]).sort()).toEqual([
      ["mcp.auth_failed", "Mine"],
      ["oauth.token_issued", "Mine"],
    ]);
    const filtered = await listAuditEvents({ userId: user.id, outcome: "DENIED" });
    expect(filtered.events.map((event) => event.eventType)).toEqual(["mcp.auth_failed"]);
    // Asking for another user's instance by id shows nothing of it.
    expect((await listAuditEvents({ userId: user.id, instanceId: theirs.id })).events).toEqual([]);

    // A deleted instance's events go with it from the owner's view (the rows stay in the log).
    await db.mcpInstance.delete({ where: { id: mine.id } });
    expect((await listAuditEvents({ userId: user.id })).events).toEqual([]);
  });

  it("does not name another user's instance that an event happens to mention", async () => {
    const user = await createUser();
    const other = await createUser();
    const foreign = await db.mcpInstance.create({ data: { userId: other.id, name: "Secret project" } });
    await insert([{ actorUserId: user.id, instanceId: foreign.id }]);

    const [event] = (await listAuditEvents({ userId: user.id })).events;

    expect(event).toMatchObject({ instanceId: foreign.id, instanceName: null });
  });

  it("shows a tool call's tool, duration and the API key or client it came with", async () => {
    const user = await createUser();
    const other = await createUser();
    const instance = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const otherInstance = await db.mcpInstance.create({ data: { userId: other.id, name: "Theirs" } });
    const key = await db.mcpApiKey.create({
      data: {
        userId: user.id,
        instanceId: instance.id,
        name: "CI runner",
        prefix: "tmk_a",
        keyHash: `h-${counter}`,
      },
    });
    const foreignKey = await db.mcpApiKey.create({
      data: {
        userId: other.id,
        instanceId: otherInstance.id,
        name: "Their secret key",
        prefix: "tmk_b",
        keyHash: `h-foreign-${counter}`,
      },
    });
    const client = await db.aiClient.create({
      data: { clientId: `tool-${counter}`, kind: "DYNAMIC", name: "Claude Code" },
    });
    const base = { eventType: "mcp.tool_called", actorUserId: user.id, instanceId: instance.id };
    const at = (second: number) => new Date(Date.UTC(2025, 4, 1, 12, 0, second));
    await db.auditLog.createMany({
      data: [
        {
          ...base,
          outcome: "SUCCESS",
          durationMs: 42,
          createdAt: at(1),
          detail: { tool: "search_docs", serverSlug: "docs", authKind: "api_key", apiKeyId: key.id },
        },
        {
          ...base,
          outcome: "FAILURE",
          reason: "backend_error",
          durationMs: 2400,
          clientId: client.id,
          createdAt: at(2),
          detail: {
            tool: "create_issue",
            serverSlug: "gh",
            authKind: "oauth",
            oauthClientId: client.clientId,
          },
        },
        {
          ...base,
          outcome: "SUCCESS",
          durationMs: 7,
          createdAt: at(3),
          detail: { tool: "ping", authKind: "external", oauthClientId: "idp-agent" },
        },
        // A key id of another user's key, as a forged or confused row would carry: its name stays hidden.
        {
          ...base,
          outcome: "SUCCESS",
          durationMs: 9,
          createdAt: at(4),
          detail: { tool: "list", authKind: "api_key", apiKeyId: foreignKey.id },
        },
        // Not a tool call: its detail is not read as one.
        {
          ...base,
          eventType: "mcp.scope_denied",
          outcome: "DENIED",
          createdAt: at(5),
          detail: { tool: "x" },
        },
      ],
    });

    const { events } = await listAuditEvents({ userId: user.id });

    expect(
      events.map((event) => ({
        tool: event.tool,
        durationMs: event.durationMs,
        apiKeyName: event.apiKeyName,
        clientName: event.clientName,
        externalClientId: event.externalClientId,
      })),
    ).toEqual([
      { tool: null, durationMs: null, apiKeyName: null, clientName: null, externalClientId: null },
      { tool: "list", durationMs: 9, apiKeyName: null, clientName: null, externalClientId: null },
      { tool: "ping", durationMs: 7, apiKeyName: null, clientName: null, externalClientId: "idp-agent" },
      {
        tool: "create_issue",
        durationMs: 2400,
        apiKeyName: null,
        clientName: "Claude Code",
        externalClientId: null,
      },
      {
        tool: "search_docs",
        durationMs: 42,
        apiKeyName: "CI runner",
        clientName: null,
        externalClientId: null,
      },
    ]);
    expect(events[1]?.apiKeyId).toBe(foreignKey.id);
    expect(JSON.stringify(events)).not.toContain("Their secret key");
  });

  it("pages through 25 events at a time", async () => {
    const user = await createUser();
    const start = Date.parse("2025-03-01T00:00:00Z");
    await insert(
      Array.from({ length: AUDIT_PAGE_SIZE + 3 }, (_, index) => ({
        actorUserId: user.id,
        createdAt: new Date(start + index * 1000),
      })),
    );

    const first = await listAuditEvents({ userId: user.id, page: 1 });
    const second = await listAuditEvents({ userId: user.id, page: 2 });

    expect(first.events).toHaveLength(AUDIT_PAGE_SIZE);
    expect(first.hasNextPage).toBe(true);
    expect(first.events[0]?.createdAt).toEqual(new Date(start + (AUDIT_PAGE_SIZE + 2) * 1000));
    expect(second.events).toHaveLength(3);
    expect(second.hasNextPage).toBe(false);
    expect(second.events.at(-1)?.createdAt).toEqual(new Date(start));
    const ids = new Set([...first.events, ...second.events].map((event) => event.id));
    expect(ids.size).toBe(AUDIT_PAGE_SIZE + 3);
  });

  it("refuses a start date after the end date", async () => {
    const user = await createUser();
    await expect(
      listAuditEvents({ userId: user.id, from: new Date("2025-02-01"), to: new Date("2025-01-01") }),
    ).rejects.toThrow();
  });
});
