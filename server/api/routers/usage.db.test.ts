import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { describe, expect, it, vi } from "vitest";
import { recordBackendOutcome } from "../../backend-health/record-backend-outcome";
import { getDb } from "../../db";
import { appRouter } from "../root";
import { createCallerFactory, type TRPCContext } from "../trpc";

// The usage router at the tRPC edge: it refuses callers without a session and bad input, and every
// figure it answers is the signed-in user's own: their tool calls, instances, servers and tokens.

// Auth.js imports next/server, which only resolves inside Next; sessions are passed in directly.
vi.mock("../../next-auth", () => ({ auth: async () => null }));

const createCaller = createCallerFactory(appRouter);
const db = getDb();

function callerFor(userId: string | null) {
  const ctx: TRPCContext = {
    session: userId ? { user: { id: userId }, expires: new Date(Date.now() + 60_000).toISOString() } : null,
    headers: new Headers(),
    origin: { ip: "203.0.113.9", userAgent: "usage-test" },
  };
  return createCaller(ctx);
}

async function createUser() {
  return db.user.create({ data: { email: `usage-router-${randomUUID()}@example.test` } });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
}

/** A server the user is connected to, bundled into `instanceId`; an OAuth one gets a token row when given. */
async function connectServer({
  userId,
  instanceId,
  name,
  token,
  status = "CONNECTED",
}: {
  userId: string;
  instanceId: string;
  name: string;
  token?: { expiresAt: Date; refreshToken: string | null };
  status?: "CONNECTED" | "NEEDS_REAUTH";
}) {
  const suffix = randomUUID().slice(0, 8);
  const server = await db.mcpServer.create({
    data: {
      name,
      slug: `${name.toLowerCase()}-${suffix}`,
      url: `https://${suffix}.example/mcp`,
      authType: token || status === "NEEDS_REAUTH" ? "OAUTH" : "NONE",
      ownerUserId: userId,
    },
  });
  const connection = await db.userMcpConfig.create({ data: { userId, mcpServerId: server.id, status } });
  await db.mcpInstanceConnection.create({ data: { instanceId, userMcpConfigId: connection.id } });
  if (token) {
    const client = await db.oAuthClient.create({
      data: {
        mcpServerId: server.id,
        issuer: `https://as-${suffix}.example`,
        registrationType: "DCR",
        clientId: `tumiki-${suffix}`,
        authorizationServerUrl: `https://as-${suffix}.example`,
        tokenEndpoint: `https://as-${suffix}.example/token`,
        authorizationEndpoint: `https://as-${suffix}.example/authorize`,
      },
    });
    await db.oAuthToken.create({
      data: { userMcpConfigId: connection.id, oauthClientId: client.id, accessToken: "access", ...token },
    });
  }
  return server;
}

describe("usage router", () => {
  it("refuses callers without a session, and a window it does not offer", async () => {
    expect(await codeOf(callerFor(null).usage.overview())).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(null).usage.toolCalls({ window: "24h" }))).toBe("UNAUTHORIZED");
    const user = await createUser();
    expect(
      await codeOf(callerFor(user.id).usage.toolCalls({ window: "30d" } as unknown as { window: "24h" })),
    ).toBe("BAD_REQUEST");
  });

  it("counts only the signed-in user's own tool calls", async () => {
    const owner = await createUser();
    const other = await createUser();
    const instance = await db.mcpInstance.create({ data: { userId: owner.id, name: "Mine" } });
    const server = await connectServer({ userId: owner.id, instanceId: instance.id, name: "Docs" });
    const recent = new Date(Date.now() - 10 * 60_000);
    const row = {
      eventType: "mcp.tool_called",
      instanceId: instance.id,
      mcpServerId: server.id,
      createdAt: recent,
    };
    await db.auditLog.createMany({
      data: [
        { ...row, outcome: "SUCCESS", actorUserId: owner.id, durationMs: 12 },
        { ...row, outcome: "FAILURE", actorUserId: owner.id, durationMs: 30 },
        // Another user's row naming the owner's instance is theirs, not the owner's usage.
        { ...row, outcome: "SUCCESS", actorUserId: other.id, durationMs: 500 },
      ],
    });

    const mine = await callerFor(owner.id).usage.toolCalls({ window: "24h" });
    expect(mine.overall.total).toMatchObject({ calls: 2, errors: 1, p50Ms: 21 });
    expect(mine.instances.map((item) => [item.name, item.total.calls])).toEqual([["Mine", 2]]);
    expect(mine.servers.map((item) => [item.name, item.total.calls])).toEqual([["Docs", 2]]);

    const theirs = await callerFor(other.id).usage.toolCalls({ window: "7d" });
    // Their row counts for them, without the owner's instance or server names.
    expect(theirs.overall.total.calls).toBe(1);
    expect(theirs.instances).toEqual([expect.objectContaining({ name: null })]);
    expect(theirs.servers).toEqual([expect.objectContaining({ name: null })]);
  });

  it("lists the user's instances and servers with health, and the tokens that need them", async () => {
    const user = await createUser();
    const stranger = await createUser();
    const instance = await db.mcpInstance.create({ data: { userId: user.id, name: "Work" } });
    const inTenMinutes = new Date(Date.now() + 10 * 60_000);
    const inAWeek = new Date(Date.now() + 7 * 24 * 3_600_000);
    const healthy = await connectServer({
      userId: user.id,
      instanceId: instance.id,
      name: "Renewable",
      token: { expiresAt: inAWeek, refreshToken: "refresh" },
    });
    const ending = await connectServer({
      userId: user.id,
      instanceId: instance.id,
      name: "Ending",
      token: { expiresAt: inTenMinutes, refreshToken: null },
    });
    const lapsed = await connectServer({
      userId: user.id,
      instanceId: instance.id,
      name: "Lapsed",
      status: "NEEDS_REAUTH",
    });
    await recordBackendOutcome({
      backend: { mcpServerId: ending.id, slug: ending.slug, url: ending.url },
      failure: { kind: "timeout" },
    });
    const strangerInstance = await db.mcpInstance.create({
      data: { userId: stranger.id, name: "Elsewhere" },
    });
    await connectServer({
      userId: stranger.id,
      instanceId: strangerInstance.id,
      name: "Hidden",
      status: "NEEDS_REAUTH",
    });

    const overview = await callerFor(user.id).usage.overview();

    expect(overview.instances).toEqual([
      expect.objectContaining({
        id: instance.id,
        name: "Work",
        mcpUrl: expect.stringContaining(instance.id),
      }),
    ]);
    expect(overview.instances[0]?.servers.map((server) => [server.name, server.serverId]).sort()).toEqual([
      ["Ending", ending.id],
      ["Lapsed", lapsed.id],
      ["Renewable", healthy.id],
    ]);
    const health = Object.fromEntries(overview.servers.map((server) => [server.name, server.health.state]));
    expect(health).toEqual({ Renewable: "unknown", Ending: "degraded", Lapsed: "unknown" });
    expect(overview.servers.find((server) => server.name === "Ending")?.health.lastError).toEqual(
      expect.any(String),
    );
    expect(overview.tokens).toEqual([
      {
        serverId: ending.id,
        serverName: "Ending",
        reason: "expiring",
        expiresAt: inTenMinutes,
        lastError: null,
        action: "reconnect",
        canRefresh: false,
      },
      {
        serverId: lapsed.id,
        serverName: "Lapsed",
        reason: "needs_reauth",
        expiresAt: null,
        lastError: null,
        action: "reconnect",
        canRefresh: false,
      },
    ]);
    expect(JSON.stringify(overview)).not.toContain("Hidden");
    expect(JSON.stringify(overview)).not.toContain("Elsewhere");

    expect(await callerFor(stranger.id).usage.overview()).toMatchObject({
      instances: [{ name: "Elsewhere" }],
      tokens: [{ serverName: "Hidden", reason: "needs_reauth" }],
    });
  });
});
