import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getDb } from "../db";
import { AppError } from "../errors";
import { createServerConnection } from "../servers/create-server-connection";
import { createInstance } from "./create-instance";
import { deleteInstance } from "./delete-instance";
import { getInstanceOrThrow } from "./get-instance-or-throw";
import { listInstances } from "./list-instances";
import { renameInstance } from "./rename-instance";
import { setInstanceConnections } from "./set-instance-connections";

const db = getDb();
let counter = 0;

async function createUser() {
  counter += 1;
  return db.user.create({ data: { email: `instances-${counter}-${Date.now()}@example.test` } });
}

async function expectAppError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

describe("instances", () => {
  it("creates, lists with the MCP URL and scopes, renames and deletes the user's instance", async () => {
    const user = await createUser();
    const instance = await createInstance({ userId: user.id, name: "  Work  " });
    expect(instance.name).toBe("Work");
    expect(instance.id).toMatch(/^[0-9a-f-]{36}$/);

    const [listed] = await listInstances({ userId: user.id });
    expect(listed).toMatchObject({
      id: instance.id,
      name: "Work",
      mcpUrl: `http://localhost:3000/mcp/${instance.id}`,
      scopes: ["mcp:access:*"],
      connections: [],
    });

    const renamed = await renameInstance({ userId: user.id, instanceId: instance.id, name: "Home" });
    expect(renamed.name).toBe("Home");

    await deleteInstance({ userId: user.id, instanceId: instance.id });
    expect(await listInstances({ userId: user.id })).toEqual([]);
  });

  it("refuses an empty name", async () => {
    const user = await createUser();
    const error = await createInstance({ userId: user.id, name: "   " }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues).toMatchObject([{ path: ["name"], message: "Enter a name." }]);
    expect(await listInstances({ userId: user.id })).toEqual([]);
  });

  it("treats another user's instance as not found for every operation", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const instance = await createInstance({ userId: owner.id, name: "Private" });

    expect(await listInstances({ userId: stranger.id })).toEqual([]);
    await expectAppError(getInstanceOrThrow({ userId: stranger.id, instanceId: instance.id }), "NOT_FOUND");
    await expectAppError(
      renameInstance({ userId: stranger.id, instanceId: instance.id, name: "Mine now" }),
      "NOT_FOUND",
    );
    await expectAppError(deleteInstance({ userId: stranger.id, instanceId: instance.id }), "NOT_FOUND");
    await expectAppError(
      setInstanceConnections({ userId: stranger.id, instanceId: instance.id, connectionIds: [] }),
      "NOT_FOUND",
    );

    const untouched = await getInstanceOrThrow({ userId: owner.id, instanceId: instance.id });
    expect(untouched.name).toBe("Private");
  });

  it("bundles the user's connections, replaces them, and derives the instance's scopes", async () => {
    const user = await createUser();
    const instance = await createInstance({ userId: user.id, name: "Bundle" });
    const docs = await createServerConnection({
      userId: user.id,
      name: "Docs",
      url: "https://docs.example/mcp",
      authType: "NONE",
      status: "CONNECTED",
    });
    const wiki = await createServerConnection({
      userId: user.id,
      name: "Wiki",
      url: "https://wiki.example/mcp",
      authType: "NONE",
      status: "CONNECTED",
    });

    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [docs.connectionId, wiki.connectionId, docs.connectionId],
    });
    let [listed] = await listInstances({ userId: user.id });
    expect(listed?.connections.map((c) => c.slug)).toEqual([docs.slug, wiki.slug]);
    expect(listed?.connections[0]).toMatchObject({ serverName: "Docs", status: "CONNECTED" });
    expect(listed?.scopes).toEqual(["mcp:access:*", `mcp:access:${docs.slug}`, `mcp:access:${wiki.slug}`]);

    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [wiki.connectionId],
    });
    [listed] = await listInstances({ userId: user.id });
    expect(listed?.connections.map((c) => c.slug)).toEqual([wiki.slug]);
  });

  it("refuses another user's connection and leaves the instance as it was", async () => {
    const user = await createUser();
    const other = await createUser();
    const instance = await createInstance({ userId: user.id, name: "Mine" });
    const mine = await createServerConnection({
      userId: user.id,
      name: "Mine",
      url: "https://a.example/mcp",
      authType: "NONE",
      status: "CONNECTED",
    });
    const theirs = await createServerConnection({
      userId: other.id,
      name: "Theirs",
      url: "https://b.example/mcp",
      authType: "NONE",
      status: "CONNECTED",
    });
    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [mine.connectionId],
    });

    await expectAppError(
      setInstanceConnections({
        userId: user.id,
        instanceId: instance.id,
        connectionIds: [theirs.connectionId],
      }),
      "BAD_REQUEST",
    );
    const links = await db.mcpInstanceConnection.findMany({ where: { instanceId: instance.id } });
    expect(links.map((link) => link.userMcpConfigId)).toEqual([mine.connectionId]);
  });

  it("bundles the user's connections in any state and authentication, and refuses unknown ones", async () => {
    const user = await createUser();
    const instance = await createInstance({ userId: user.id, name: "Any state" });
    const oauthServer = await db.mcpServer.create({
      data: { name: "OAuth", slug: `oauth-${counter}`, url: "https://o.example/mcp", authType: "OAUTH" },
    });
    // Not connected yet: the proxy answers its calls with the URL where the user connects it.
    const oauthConnection = await db.userMcpConfig.create({
      data: { userId: user.id, mcpServerId: oauthServer.id, status: "PENDING" },
    });
    const failing = await createServerConnection({
      userId: user.id,
      name: "Failing",
      url: "https://f.example",
      authType: "NONE",
      status: "CONNECTED",
    });
    await db.userMcpConfig.update({ where: { id: failing.connectionId }, data: { status: "ERROR" } });

    await expectAppError(
      setInstanceConnections({
        userId: user.id,
        instanceId: instance.id,
        connectionIds: ["no-such-connection"],
      }),
      "BAD_REQUEST",
    );
    expect(await db.mcpInstanceConnection.count({ where: { instanceId: instance.id } })).toBe(0);

    await setInstanceConnections({
      userId: user.id,
      instanceId: instance.id,
      connectionIds: [oauthConnection.id, failing.connectionId],
    });
    const links = await db.mcpInstanceConnection.findMany({ where: { instanceId: instance.id } });
    expect(links.map((link) => link.userMcpConfigId).sort()).toEqual(
      [oauthConnection.id, failing.connectionId].sort(),
    );
  });

  it("deleting an instance removes its API keys with it", async () => {
    const user = await createUser();
    const instance = await createInstance({ userId: user.id, name: "Doomed" });
    await db.mcpApiKey.create({
      data: {
        userId: user.id,
        instanceId: instance.id,
        name: "k",
        prefix: "tumiki_abcde",
        keyHash: `h-${counter}`,
      },
    });

    await deleteInstance({ userId: user.id, instanceId: instance.id });

    expect(await db.mcpApiKey.count({ where: { instanceId: instance.id } })).toBe(0);
  });
});
