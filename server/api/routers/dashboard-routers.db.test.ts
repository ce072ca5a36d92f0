import { TRPCError } from "@trpc/server";
import { describe, expect, it, vi } from "vitest";
import { startDemoBackend } from "@/scripts/demo-backend/start-demo-backend";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { resetEnvCache } from "../../env";
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

async function createUser() {
  counter += 1;
  return getDb().user.create({ data: { email: `routers-${counter}-${Date.now()}@example.test` } });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
}

describe("dashboard routers", () => {
  it("refuses callers without a session", async () => {
    expect(await codeOf(callerFor(null).instance.list())).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(null).audit.list({}))).toBe("UNAUTHORIZED");
  });

  it("scopes every call to the session's user", async () => {
    const owner = await createUser();
    const stranger = await createUser();
    const created = await callerFor(owner.id).instance.create({ name: "Mine" });

    expect(await callerFor(stranger.id).instance.list()).toEqual([]);
    expect(await codeOf(callerFor(stranger.id).instance.rename({ instanceId: created.id, name: "x" }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(callerFor(stranger.id).instance.delete({ instanceId: created.id }))).toBe(
      "NOT_FOUND",
    );
    expect(await callerFor(owner.id).instance.list()).toMatchObject([{ id: created.id, name: "Mine" }]);
  });

  it("rejects invalid input with BAD_REQUEST before any domain call", async () => {
    const user = await createUser();
    expect(await codeOf(callerFor(user.id).instance.create({ name: "" }))).toBe("BAD_REQUEST");
    expect(
      await codeOf(
        callerFor(user.id).servers.add({ name: "x", url: "http://example.com", auth: { type: "none" } }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await codeOf(callerFor(user.id).servers.check({ url: "http://example.com/mcp" }))).toBe(
      "BAD_REQUEST",
    );
    expect(await codeOf(callerFor(user.id).backendTokens.refresh({ serverId: "" }))).toBe("BAD_REQUEST");
  });

  it("says the same about a connection on the Servers page, in the catalog and on the Tokens page", async () => {
    const user = await createUser();
    const db = getDb();
    const createOAuthConnection = async ({
      name,
      ownerUserId,
      token,
    }: {
      name: string;
      ownerUserId: string | null;
      token: { expiresAt: Date; refreshToken: string | null } | null;
    }) => {
      const server = await db.mcpServer.create({
        data: {
          name,
          slug: `${name.toLowerCase()}-${Date.now()}`,
          url: `https://${name.toLowerCase()}.example/mcp`,
          authType: "OAUTH",
          ownerUserId,
        },
      });
      const client = await db.oAuthClient.create({
        data: {
          mcpServerId: server.id,
          issuer: `https://as.${name.toLowerCase()}.example`,
          registrationType: "DCR",
          clientId: `client-${name}`,
          authorizationServerUrl: `https://as.${name.toLowerCase()}.example`,
          tokenEndpoint: `https://as.${name.toLowerCase()}.example/token`,
          authorizationEndpoint: `https://as.${name.toLowerCase()}.example/authorize`,
        },
      });
      const connection = await db.userMcpConfig.create({
        data: { userId: user.id, mcpServerId: server.id, status: token ? "CONNECTED" : "PENDING" },
      });
      if (token) {
        await db.oAuthToken.create({
          data: { userMcpConfigId: connection.id, oauthClientId: client.id, accessToken: "access", ...token },
        });
      }
    };
    const hourFromNow = new Date(Date.now() + 3_600_000);
    await createOAuthConnection({ name: "Never", ownerUserId: null, token: null });
    await createOAuthConnection({
      name: "Stale",
      ownerUserId: user.id,
      token: { expiresAt: new Date(Date.now() - 1_000), refreshToken: null },
    });
    await createOAuthConnection({
      name: "Fresh",
      ownerUserId: user.id,
      token: { expiresAt: hourFromNow, refreshToken: "r" },
    });
    const caller = callerFor(user.id);

    const servers = await caller.servers.list();
    const tokens = await caller.backendTokens.list();
    const catalog = await caller.servers.catalog();

    const expected = [
      ["Never", { status: "not_connected", action: "connect", canRefresh: false }],
      ["Stale", { status: "needs_reauth", action: "reconnect", canRefresh: false }],
      ["Fresh", { status: "connected", action: null, canRefresh: true }],
    ];
    expect(servers.map((server) => [server.name, server.state])).toEqual(expected);
    expect(tokens.map((token) => [token.serverName, token.state])).toEqual(expected);
    const never = catalog.find((server) => server.name === "Never");
    expect([never?.name, never?.state]).toEqual(expected[0]);
  });

  it("passes the request origin to the audit trail of a server connection", async () => {
    const user = await createUser();
    // A catalog server without authentication: connecting it contacts nothing.
    const docs = await getDb().mcpServer.create({
      data: { name: "Docs", slug: `docs-${Date.now()}`, url: "https://docs.example/mcp" },
    });
    await callerFor(user.id).servers.connectCatalog({ serverId: docs.id });
    await flushAuditEvents();

    const { events } = await callerFor(user.id).audit.list({ eventType: "backend.connected" });

    expect(events).toMatchObject([{ eventType: "backend.connected", ip: "203.0.113.9", serverName: "Docs" }]);
  });

  it("Connect/Reconnect (servers.startAuthorization) discovers the server and registers Tumiki before starting", async () => {
    const demo = await startDemoBackend({ port: 0 });
    try {
      const demoPort = new URL(demo.origin).port;
      process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = `localhost:${demoPort},127.0.0.1:${demoPort}`;
      resetEnvCache();
      const user = await createUser();
      // No registration stored: starting without one would be refused.
      const server = await getDb().mcpServer.create({
        data: {
          name: "Demo",
          slug: `demo-${Date.now()}`,
          url: demo.mcpUrl,
          authType: "OAUTH",
          ownerUserId: user.id,
        },
      });

      const { authorizationUrl } = await callerFor(user.id).servers.startAuthorization({
        serverId: server.id,
      });

      expect(demo.stats.registrations).toBe(1);
      const client = await getDb().oAuthClient.findFirstOrThrow({ where: { mcpServerId: server.id } });
      expect(new URL(authorizationUrl).searchParams.get("client_id")).toBe(client.clientId);
    } finally {
      await demo.close();
    }
  });

  it("creates an API key shown once, lists it by prefix and revokes it", async () => {
    const user = await createUser();
    const caller = callerFor(user.id);
    const instance = await caller.instance.create({ name: "Keys" });

    const created = await caller.apiKey.create({
      name: "CI",
      instanceId: instance.id,
      scopes: ["mcp:access:*"],
    });
    const [listed] = await caller.apiKey.list();
    expect(listed).toMatchObject({ id: created.id, prefix: created.key.slice(0, 12), revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(await codeOf(callerFor((await createUser()).id).apiKey.revoke({ id: created.id }))).toBe(
      "NOT_FOUND",
    );

    await caller.apiKey.revoke({ id: created.id });
    expect((await caller.apiKey.list())[0]?.revokedAt).toBeInstanceOf(Date);
  });

  it("revokes an authorized client for the signed-in user only", async () => {
    const db = getDb();
    const user = await createUser();
    const other = await createUser();
    const client = await db.aiClient.create({
      data: { clientId: `rt-${counter}`, kind: "DYNAMIC", name: "Agent" },
    });
    for (const owner of [user, other]) {
      const instance = await db.mcpInstance.create({ data: { userId: owner.id, name: "I" } });
      await db.consent.create({
        data: { userId: owner.id, clientId: client.id, instanceId: instance.id, scopes: ["mcp:access:*"] },
      });
    }
    expect(await callerFor(user.id).aiClient.listAuthorized()).toMatchObject([
      { id: client.id, name: "Agent" },
    ]);

    await callerFor(user.id).aiClient.revoke({ clientId: client.id });

    expect(await callerFor(user.id).aiClient.listAuthorized()).toEqual([]);
    expect(await callerFor(other.id).aiClient.listAuthorized()).toMatchObject([{ id: client.id }]);
    await flushAuditEvents();
    const { events } = await callerFor(user.id).audit.list({ eventType: "oauth.consent_revoked" });
    expect(events).toMatchObject([{ clientName: "Agent", ip: "203.0.113.9", userAgent: "router-test" }]);
  });
  it("creates an M2M client whose secret is returned once and never listed, and deletes it", async () => {
    const user = await createUser();
    const caller = callerFor(user.id);
    const instance = await caller.instance.create({ name: "Machines" });

    const created = await caller.aiClient.createM2m({
      name: "Nightly job",
      instanceId: instance.id,
      scopes: ["mcp:access:*"],
    });
    expect(created.clientSecret).toMatch(/^tmk_cs_/);
    const stored = await getDb().aiClient.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.clientSecretHash).not.toBe(created.clientSecret);

    const listed = await caller.aiClient.listM2m();
    expect(listed).toMatchObject([
      { id: created.id, clientId: created.clientId, name: "Nightly job", scopes: ["mcp:access:*"] },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.clientSecret);
    expect(JSON.stringify(listed)).not.toContain(stored.clientSecretHash ?? "no hash");

    // Another user neither sees nor deletes it.
    const stranger = callerFor((await createUser()).id);
    expect(await stranger.aiClient.listM2m()).toEqual([]);
    expect(await codeOf(stranger.aiClient.deleteM2m({ id: created.id }))).toBe("NOT_FOUND");
    expect(await caller.aiClient.listM2m()).toHaveLength(1);

    await caller.aiClient.deleteM2m({ id: created.id });
    expect(await caller.aiClient.listM2m()).toEqual([]);
    expect(await codeOf(caller.aiClient.deleteM2m({ id: created.id }))).toBe("NOT_FOUND");
    await flushAuditEvents();
    const { events } = await caller.audit.list({ clientId: created.id });
    expect(events.map((event) => [event.eventType, event.ip])).toEqual([
      ["oauth.token_revoked", "203.0.113.9"],
      ["oauth.client_registered", "203.0.113.9"],
    ]);
  });

  it("refuses an M2M client for another user's instance or with a scope the instance lacks", async () => {
    const owner = await createUser();
    const instance = await callerFor(owner.id).instance.create({ name: "Private" });
    const stranger = callerFor((await createUser()).id);

    expect(
      await codeOf(
        stranger.aiClient.createM2m({ name: "x", instanceId: instance.id, scopes: ["mcp:access:*"] }),
      ),
    ).toBe("NOT_FOUND");
    expect(
      await codeOf(
        callerFor(owner.id).aiClient.createM2m({
          name: "x",
          instanceId: instance.id,
          scopes: ["mcp:access:not-bundled"],
        }),
      ),
    ).toBe("BAD_REQUEST");
    expect(await callerFor(owner.id).aiClient.listM2m()).toEqual([]);
  });

  it("lists the clients of the user's audit events for the log's filter", async () => {
    const user = await createUser();
    const caller = callerFor(user.id);
    const instance = await caller.instance.create({ name: "Filter" });
    const created = await caller.aiClient.createM2m({
      name: "Gone soon",
      instanceId: instance.id,
      scopes: ["mcp:access:*"],
    });
    await caller.aiClient.deleteM2m({ id: created.id });
    await flushAuditEvents();

    expect(await caller.audit.clients()).toEqual([
      { value: created.id, label: "Gone soon (machine-to-machine)" },
    ]);
    expect(await callerFor((await createUser()).id).audit.clients()).toEqual([]);
  });
});
