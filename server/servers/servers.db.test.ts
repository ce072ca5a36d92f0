import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { flushAuditEvents } from "../audit/write-audit-event";
import { isServerSlug } from "../auth/scopes";
import { getDb } from "../db";
import { AppError } from "../errors";
import { createInstance } from "../instances/create-instance";
import { setInstanceConnections } from "../instances/set-instance-connections";
import { addUnauthenticatedServer } from "./add-unauthenticated-server";
import { listUserServers } from "./list-user-servers";
import { removeUserServer } from "./remove-user-server";

const db = getDb();
let counter = 0;

async function createUser() {
  counter += 1;
  return db.user.create({ data: { email: `servers-${counter}-${Date.now()}@example.test` } });
}

describe("addUnauthenticatedServer", () => {
  it("creates a private server without auth and a connected connection, and audits it", async () => {
    const user = await createUser();
    const added = await addUnauthenticatedServer({
      userId: user.id,
      name: "Café Notes!",
      url: "https://notes.example/mcp",
      origin: { ip: "192.0.2.1", userAgent: "servers-test" },
    });

    expect(added.slug).toBe("cafe-notes");
    const server = await db.mcpServer.findUniqueOrThrow({ where: { id: added.serverId } });
    expect(server).toMatchObject({
      authType: "NONE",
      ownerUserId: user.id,
      url: "https://notes.example/mcp",
    });
    const connection = await db.userMcpConfig.findUniqueOrThrow({ where: { id: added.connectionId } });
    expect(connection).toMatchObject({ userId: user.id, mcpServerId: server.id, status: "CONNECTED" });

    await flushAuditEvents();
    const events = await db.auditLog.findMany({ where: { actorUserId: user.id } });
    expect(events).toMatchObject([
      { eventType: "backend.connected", outcome: "SUCCESS", mcpServerId: server.id, ip: "192.0.2.1" },
    ]);
  });

  it("makes a taken slug unique with a short suffix, across users", async () => {
    const first = await createUser();
    const second = await createUser();
    const a = await addUnauthenticatedServer({ userId: first.id, name: "Linear", url: "https://a.example" });
    const b = await addUnauthenticatedServer({ userId: second.id, name: "linear", url: "https://b.example" });
    const c = await addUnauthenticatedServer({ userId: first.id, name: "LINEAR", url: "https://c.example" });

    expect(a.slug).toBe("linear");
    expect(b.slug).toMatch(/^linear-[0-9a-f]{6}$/);
    expect(c.slug).toMatch(/^linear-[0-9a-f]{6}$/);
    expect(new Set([a.slug, b.slug, c.slug]).size).toBe(3);
  });

  it("gives concurrent adds of one name distinct slugs (the unique index decides)", async () => {
    const user = await createUser();
    const added = await Promise.all(
      [1, 2, 3, 4].map(() =>
        addUnauthenticatedServer({ userId: user.id, name: "Race", url: "https://r.example" }),
      ),
    );
    expect(new Set(added.map((server) => server.slug)).size).toBe(4);
    expect(added.map((server) => server.slug)).toContain("race");
  });

  it("derives a valid slug from any name", async () => {
    const user = await createUser();
    for (const name of ["日本語", "--", "A".repeat(80), "x_y.z"]) {
      const added = await addUnauthenticatedServer({ userId: user.id, name, url: "https://n.example" });
      expect(isServerSlug(added.slug), added.slug).toBe(true);
    }
  });

  it.each([
    "http://example.com/mcp",
    "ftp://example.com",
    "javascript:alert(1)",
    "https://user:pw@example.com/mcp",
    "https://example.com/mcp#frag",
    "http://10.0.0.1/mcp",
    "not a url",
  ])("refuses the URL %s and writes nothing", async (url) => {
    const user = await createUser();
    const error = await addUnauthenticatedServer({ userId: user.id, name: "Bad", url }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues).toMatchObject([{ path: ["url"] }]);
    expect(await db.userMcpConfig.count({ where: { userId: user.id } })).toBe(0);
  });

  it.each([
    "https://example.com/mcp",
    "http://localhost:3999/mcp",
    "http://127.0.0.1:8080/mcp",
  ])("accepts %s", async (url) => {
    const user = await createUser();
    await expect(addUnauthenticatedServer({ userId: user.id, name: "Good", url })).resolves.toMatchObject({
      url,
    });
  });
});

describe("listUserServers and removeUserServer", () => {
  it("lists only the user's own servers, with the instances that use them", async () => {
    const user = await createUser();
    const other = await createUser();
    const mine = await addUnauthenticatedServer({ userId: user.id, name: "Mine", url: "https://m.example" });
    await addUnauthenticatedServer({ userId: other.id, name: "Theirs", url: "https://t.example" });
    const instance = await createInstance({ userId: user.id, name: "Work" });
    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [mine.connectionId],
    });

    const listed = await listUserServers({ userId: user.id });

    expect(listed).toEqual([
      expect.objectContaining({
        connectionId: mine.connectionId,
        name: "Mine",
        status: "CONNECTED",
        authType: "NONE",
        instanceNames: ["Work"],
      }),
    ]);
  });

  it("removes the user's private server and its instance links", async () => {
    const user = await createUser();
    const added = await addUnauthenticatedServer({ userId: user.id, name: "Gone", url: "https://g.example" });
    const instance = await createInstance({ userId: user.id, name: "Work" });
    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [added.connectionId],
    });

    await removeUserServer({ userId: user.id, connectionId: added.connectionId });

    expect(await db.mcpServer.findUnique({ where: { id: added.serverId } })).toBeNull();
    expect(await db.mcpInstanceConnection.count({ where: { instanceId: instance.id } })).toBe(0);
    expect(await listUserServers({ userId: user.id })).toEqual([]);
    await flushAuditEvents();
    expect(
      await db.auditLog.count({ where: { actorUserId: user.id, eventType: "backend.disconnected" } }),
    ).toBe(1);
  });

  it("keeps a catalog server when a user disconnects from it", async () => {
    const user = await createUser();
    const catalog = await db.mcpServer.create({
      data: { name: "Catalog", slug: `catalog-${counter}`, url: "https://cat.example" },
    });
    const connection = await db.userMcpConfig.create({ data: { userId: user.id, mcpServerId: catalog.id } });

    await removeUserServer({ userId: user.id, connectionId: connection.id });

    expect(await db.mcpServer.findUnique({ where: { id: catalog.id } })).not.toBeNull();
    expect(await db.userMcpConfig.findUnique({ where: { id: connection.id } })).toBeNull();
  });

  it("refuses to remove another user's server", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const added = await addUnauthenticatedServer({
      userId: owner.id,
      name: "Kept",
      url: "https://k.example",
    });

    const error = await removeUserServer({ userId: stranger.id, connectionId: added.connectionId }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("NOT_FOUND");
    expect(await db.mcpServer.findUnique({ where: { id: added.serverId } })).not.toBeNull();
  });
});
