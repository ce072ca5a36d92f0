import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startDemoBackend, type TDemoBackend } from "../../scripts/demo-backend/start-demo-backend";
import { appRouter } from "../api/root";
import { createCallerFactory, type TRPCContext } from "../api/trpc";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import type { AppError } from "../errors";
import type { ConnectionStatus } from "../generated/prisma/client";
import { getRedis } from "../redis";
import { removeUserServer } from "../servers/remove-user-server";
import { createBackendTokenFixture, readBackendTokenRow } from "../testing/backend-token-fixtures";
import { postMcpInitialize } from "../testing/post-mcp-initialize";
import { createTestUser } from "../testing/tier1-fixtures";
import { readCachedToken } from "./backend-token-cache";
import { disconnectBackend } from "./disconnect-backend";
import { getValidToken } from "./get-valid-token";
import { listBackendTokens } from "./list-backend-tokens";
import { ReAuthRequiredError } from "./re-auth-required-error";
import { withRefreshLock } from "./with-refresh-lock";

// Token management on a real PostgreSQL, a real Redis (REDIS_URL) and the real demo backend: what the
// Tokens page lists, disconnecting (RFC 7009 revocation at the backend, local deletion, cache, audit),
// and the router's per-user scoping.

// Auth.js imports next/server, which only resolves inside Next; sessions are passed in directly.
vi.mock("../next-auth", () => ({ auth: async () => null }));

const ACCOUNT = "tokens-test-account";
const createCaller = createCallerFactory(appRouter);
let demo: TDemoBackend;
let closedPort: number;

function callerFor(userId: string) {
  const ctx: TRPCContext = {
    session: { user: { id: userId }, expires: new Date(Date.now() + 60_000).toISOString() },
    headers: new Headers(),
    origin: { ip: "203.0.113.7", userAgent: "tokens-test" },
  };
  return createCaller(ctx);
}

async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}

function postInitialize(accessToken: string): Promise<Response> {
  return postMcpInitialize({ url: demo.mcpUrl, accessToken });
}

async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type TTokenRow = {
  accessToken?: string;
  refreshToken?: string | null;
  expiresAt?: Date | null;
  isValid?: boolean;
  lastError?: string | null;
  scope?: string | null;
  refreshCount?: number;
};

/** An OAuth server with a stored (made-up) token: for what needs no authorization server to answer. */
async function createStoredConnection({
  userId,
  name,
  status = "CONNECTED",
  token,
  revocationEndpoint = null,
  authType = "OAUTH",
}: {
  userId: string;
  name: string;
  status?: ConnectionStatus;
  token: TTokenRow | null;
  revocationEndpoint?: string | null;
  authType?: "OAUTH" | "NONE";
}) {
  const db = getDb();
  const slug = `t-${randomUUID().slice(0, 8)}`;
  const server = await db.mcpServer.create({
    data: { name, slug, url: `https://${slug}.example.test/mcp`, authType, ownerUserId: userId },
  });
  const oauthClient = await db.oAuthClient.create({
    data: {
      mcpServerId: server.id,
      issuer: `https://as.${slug}.example.test`,
      registrationType: "DCR",
      clientId: `client-${slug}`,
      clientSecret: "client-secret-value",
      authorizationServerUrl: `https://as.${slug}.example.test`,
      tokenEndpoint: `https://as.${slug}.example.test/token`,
      authorizationEndpoint: `https://as.${slug}.example.test/authorize`,
      revocationEndpoint,
      tokenEndpointAuthMethod: "client_secret_basic",
    },
  });
  const connection = await db.userMcpConfig.create({ data: { userId, mcpServerId: server.id, status } });
  if (token) {
    await db.oAuthToken.create({
      data: {
        userMcpConfigId: connection.id,
        oauthClientId: oauthClient.id,
        accessToken: token.accessToken ?? `access-${randomUUID()}`,
        refreshToken: token.refreshToken === undefined ? `refresh-${randomUUID()}` : token.refreshToken,
        expiresAt: token.expiresAt === undefined ? new Date(Date.now() + 3_600_000) : token.expiresAt,
        isValid: token.isValid ?? true,
        lastError: token.lastError ?? null,
        scope: token.scope === undefined ? "notes:read notes:write" : token.scope,
        refreshCount: token.refreshCount ?? 0,
      },
    });
  }
  return { server, connection, oauthClient };
}

async function auditEventsOf(userId: string, eventType: string) {
  await flushAuditEvents();
  return getDb().auditLog.findMany({
    where: { actorUserId: userId, eventType },
    orderBy: { createdAt: "asc" },
  });
}

beforeAll(async () => {
  if (!process.env.REDIS_URL) throw new Error("REDIS_URL must point at a real Redis for this test");
  demo = await startDemoBackend({ port: 0, autoApproveAccount: ACCOUNT });
  closedPort = await findFreePort();
  const port = new URL(demo.origin).port;
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = [
    `localhost:${port}`,
    `127.0.0.1:${port}`,
    `localhost:${closedPort}`,
  ].join(",");
  resetEnvCache();
});

afterAll(async () => {
  await demo?.close();
  await getRedis().close();
});

describe("listBackendTokens", () => {
  it("derives each connection's status and lists only the user's OAuth connections", async () => {
    const user = await createTestUser();
    const other = await createTestUser();
    const soon = new Date(Date.now() + 60_000);
    await createStoredConnection({ userId: user.id, name: "Healthy", token: { refreshCount: 3 } });
    await createStoredConnection({ userId: user.id, name: "Soon", token: { expiresAt: soon } });
    await createStoredConnection({
      userId: user.id,
      name: "Revoked",
      status: "NEEDS_REAUTH",
      token: { isValid: false, lastError: "invalid_grant" },
    });
    await createStoredConnection({
      userId: user.id,
      name: "Flaky",
      token: { lastError: "server_unavailable", refreshToken: null, scope: null },
    });
    await createStoredConnection({ userId: user.id, name: "Never", status: "PENDING", token: null });
    await createStoredConnection({ userId: user.id, name: "Open", authType: "NONE", token: null });
    await createStoredConnection({ userId: other.id, name: "Theirs", token: {} });

    const list = await listBackendTokens({ userId: user.id });

    expect(list.map((item) => [item.serverName, item.state.status])).toEqual([
      ["Healthy", "connected"],
      ["Soon", "expiring"],
      ["Revoked", "needs_reauth"],
      ["Flaky", "error"],
      ["Never", "not_connected"],
    ]);
    expect(list[0]).toMatchObject({
      scopes: ["notes:read", "notes:write"],
      refreshCount: 3,
      lastRefreshedAt: null,
      lastError: null,
      hasToken: true,
      state: { canRefresh: true },
    });
    expect(list[1]?.expiresAt?.getTime()).toBe(soon.getTime());
    expect(list[2]?.lastError).toBe("invalid_grant");
    expect(list[3]).toMatchObject({
      scopes: [],
      state: { canRefresh: false },
      lastError: "server_unavailable",
    });
    expect(list[4]).toMatchObject({
      hasToken: false,
      state: { action: "connect", canRefresh: false },
      expiresAt: null,
      scopes: [],
    });
  });

  it("never returns a token value, through the router either", async () => {
    const { user, server, token } = await createBackendTokenFixture({ backend: demo });

    const direct = JSON.stringify(superjson.serialize(await listBackendTokens({ userId: user.id })));
    const routed = JSON.stringify(superjson.serialize(await callerFor(user.id).backendTokens.list()));

    expect(routed).toContain(`"serverName":"${server.name}"`);
    for (const serialized of [direct, routed]) {
      expect(serialized).not.toContain(token.accessToken);
      expect(serialized).not.toContain(token.refreshToken ?? "no refresh token issued");
    }
    expect(token.refreshToken).toBeTruthy();
  });
});

describe("disconnectBackend", () => {
  it("revokes the grant at the backend, deletes the token, keeps the connection PENDING, drops the cache and audits", async () => {
    const { user, server, connection, token } = await createBackendTokenFixture({ backend: demo });
    const instance = await getDb().mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    await getDb().mcpInstanceConnection.create({
      data: { instanceId: instance.id, userMcpConfigId: connection.id },
    });
    await getValidToken({ userId: user.id, mcpServerId: server.id });
    expect((await readCachedToken({ userId: user.id, mcpServerId: server.id })).token).not.toBeNull();
    expect((await postInitialize(token.accessToken)).status).toBe(200);
    const revocationsBefore = demo.stats.revocations;

    const result = await disconnectBackend({
      userId: user.id,
      mcpServerId: server.id,
      origin: { ip: "198.51.100.4", userAgent: "test" },
    });

    expect(result).toEqual({ revokedAtBackend: true });
    expect(demo.stats.revocations).toBe(revocationsBefore + 2);
    expect((await postInitialize(token.accessToken)).status).toBe(401);
    expect(await getDb().oAuthToken.count({ where: { userMcpConfigId: connection.id } })).toBe(0);
    const after = await getDb().userMcpConfig.findUniqueOrThrow({
      where: { id: connection.id },
      include: { instances: true },
    });
    expect(after.status).toBe("PENDING");
    expect(after.instances.map((link) => link.instanceId)).toEqual([instance.id]);
    expect(await getRedis().get(`backend_token:${user.id}:${server.id}`)).toBeNull();
    expect((await readCachedToken({ userId: user.id, mcpServerId: server.id })).token).toBeNull();
    const [event, ...more] = await auditEventsOf(user.id, "backend.disconnected");
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      outcome: "SUCCESS",
      mcpServerId: server.id,
      ip: "198.51.100.4",
      detail: { revokedAtBackend: true },
    });
    expect(JSON.stringify(event)).not.toContain(token.accessToken);

    const [listed] = await listBackendTokens({ userId: user.id });
    expect(listed).toMatchObject({
      serverId: server.id,
      state: { status: "not_connected", action: "connect" },
      hasToken: false,
    });
  });

  it("still disconnects locally when the backend cannot be reached, and says it did not revoke", async () => {
    const user = await createTestUser();
    const { server, connection } = await createStoredConnection({
      userId: user.id,
      name: "Down",
      token: {},
      revocationEndpoint: `http://localhost:${closedPort}/token/revocation`,
    });

    const result = await disconnectBackend({ userId: user.id, mcpServerId: server.id });

    expect(result).toEqual({ revokedAtBackend: false });
    expect(await getDb().oAuthToken.count({ where: { userMcpConfigId: connection.id } })).toBe(0);
    const after = await getDb().userMcpConfig.findUniqueOrThrow({ where: { id: connection.id } });
    expect(after.status).toBe("PENDING");
    const [event] = await auditEventsOf(user.id, "backend.disconnected");
    expect(event?.detail).toEqual({ revokedAtBackend: false });
  });

  it("does not call a backend without a revocation endpoint, and reports that it did not revoke", async () => {
    const user = await createTestUser();
    const { server, connection } = await createStoredConnection({
      userId: user.id,
      name: "Plain",
      token: {},
    });

    expect(await disconnectBackend({ userId: user.id, mcpServerId: server.id })).toEqual({
      revokedAtBackend: false,
    });
    expect(await getDb().oAuthToken.count({ where: { userMcpConfigId: connection.id } })).toBe(0);
  });

  it("authenticates the revocation like the token endpoint (client_secret_post) so the AS accepts it", async () => {
    const { user, server, token } = await createBackendTokenFixture({
      backend: demo,
      tokenEndpointAuthMethod: "client_secret_post",
    });

    expect(await disconnectBackend({ userId: user.id, mcpServerId: server.id })).toEqual({
      revokedAtBackend: true,
    });
    expect((await postInitialize(token.accessToken)).status).toBe(401);
  });
});

describe("disconnectBackend and the refresh lock", () => {
  it("waits while a refresh holds the connection's lock, so it revokes and deletes what that refresh saved", async () => {
    const user = await createTestUser();
    const { server, connection } = await createStoredConnection({ userId: user.id, name: "Busy", token: {} });
    const tokenCount = () => getDb().oAuthToken.count({ where: { userMcpConfigId: connection.id } });
    let disconnecting: Promise<unknown> = Promise.resolve();
    let done = false;

    await withRefreshLock({
      userId: user.id,
      mcpServerId: server.id,
      run: async () => {
        disconnecting = disconnectBackend({ userId: user.id, mcpServerId: server.id }).then(() => {
          done = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(done).toBe(false);
        expect(await tokenCount()).toBe(1);
      },
    });

    await disconnecting;
    expect(await tokenCount()).toBe(0);
  });
});

describe("removeUserServer of an OAuth server", () => {
  it("revokes the grant at the backend and drops the cached token before deleting the rows, audited once", async () => {
    const { user, server, connection, token } = await createBackendTokenFixture({ backend: demo });
    await getValidToken({ userId: user.id, mcpServerId: server.id });
    expect((await readCachedToken({ userId: user.id, mcpServerId: server.id })).token).not.toBeNull();
    const revocationsBefore = demo.stats.revocations;

    await removeUserServer({ userId: user.id, connectionId: connection.id });

    expect(demo.stats.revocations).toBe(revocationsBefore + 2);
    expect((await postInitialize(token.accessToken)).status).toBe(401);
    expect((await readCachedToken({ userId: user.id, mcpServerId: server.id })).token).toBeNull();
    expect(await getDb().mcpServer.findUnique({ where: { id: server.id } })).toBeNull();
    const events = await auditEventsOf(user.id, "backend.disconnected");
    expect(events.map((event) => event.detail)).toEqual([{ revokedAtBackend: true }]);
  });
});

describe("backendTokens router", () => {
  it("refreshes the user's token on demand without returning it", async () => {
    const { user, server, connection, token } = await createBackendTokenFixture({ backend: demo });
    const refreshesBefore = demo.stats.tokenRequests.refresh_token ?? 0;

    const result = await callerFor(user.id).backendTokens.refresh({ serverId: server.id });

    expect(Object.keys(result)).toEqual(["expiresAt"]);
    expect(demo.stats.tokenRequests.refresh_token).toBe(refreshesBefore + 1);
    const row = await readBackendTokenRow(connection.id);
    expect(row.refreshCount).toBe(1);
    expect(row.accessToken).not.toBe(token.accessToken);
    expect((await postInitialize(row.accessToken)).status).toBe(200);
  });

  it("answers a refresh of a revoked grant with the reconnect message", async () => {
    const { user, server } = await createBackendTokenFixture({ backend: demo });
    await demo.revokeGrantsOf(ACCOUNT);

    const error = await errorOf(callerFor(user.id).backendTokens.refresh({ serverId: server.id }));

    // The tRPC formatter sends the AppError's userMessage to the browser.
    expect(error.code).toBe("FORBIDDEN");
    expect(error.cause).toBeInstanceOf(ReAuthRequiredError);
    expect((error.cause as ReAuthRequiredError).userMessage).toContain("needs to be reconnected");
    const [listed] = await callerFor(user.id).backendTokens.list();
    expect(listed).toMatchObject({ state: { status: "needs_reauth" }, lastError: "invalid_grant" });
  });

  it("says so when the authorization server did not refresh, and lists the connection as an error", async () => {
    const user = await createTestUser();
    const { server, oauthClient } = await createStoredConnection({
      userId: user.id,
      name: "Unreachable",
      token: {},
    });
    await getDb().oAuthClient.update({
      where: { id: oauthClient.id },
      data: { tokenEndpoint: `http://localhost:${closedPort}/token` },
    });

    const error = await errorOf(callerFor(user.id).backendTokens.refresh({ serverId: server.id }));

    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect((error.cause as AppError).userMessage).toContain("Unreachable could not refresh its token now");
    const [listed] = await callerFor(user.id).backendTokens.list();
    expect(listed).toMatchObject({ state: { status: "error" }, lastError: "network_error", refreshCount: 0 });
  });

  it("refuses another user's connection with NOT_FOUND and leaves it untouched", async () => {
    const { server, connection, token } = await createBackendTokenFixture({ backend: demo });
    const stranger = await createTestUser();
    const caller = callerFor(stranger.id);
    const revocationsBefore = demo.stats.revocations;
    const refreshesBefore = demo.stats.tokenRequests.refresh_token ?? 0;

    expect((await errorOf(caller.backendTokens.refresh({ serverId: server.id }))).code).toBe("NOT_FOUND");
    expect((await errorOf(caller.backendTokens.disconnect({ serverId: server.id }))).code).toBe("NOT_FOUND");
    expect(await caller.backendTokens.list()).toEqual([]);

    expect(demo.stats.revocations).toBe(revocationsBefore);
    expect(demo.stats.tokenRequests.refresh_token ?? 0).toBe(refreshesBefore);
    const row = await readBackendTokenRow(connection.id);
    expect(row.accessToken).toBe(token.accessToken);
    expect((await postInitialize(token.accessToken)).status).toBe(200);
  });

  it("refuses a malformed server id before any domain call", async () => {
    const user = await createTestUser();
    expect((await errorOf(callerFor(user.id).backendTokens.disconnect({ serverId: "" }))).code).toBe(
      "BAD_REQUEST",
    );
  });
});
