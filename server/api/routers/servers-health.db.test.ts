import { TRPCError } from "@trpc/server";
import { describe, expect, it, vi } from "vitest";
import { recordBackendOutcome } from "../../backend-health/record-backend-outcome";
import { getDb } from "../../db";
import { createServerConnection } from "../../servers/create-server-connection";
import { setTestEnv } from "../../testing/proxy-fixtures";
import { appRouter } from "../root";
import { createCallerFactory, type TRPCContext } from "../trpc";

// servers.health: the health of the caller's own servers (shared records in the real Redis), by server
// id, for the Servers page, the instance page and the dashboard home. Another user's servers never
// appear, and a caller without a session is refused.

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
  return getDb().user.create({ data: { email: `health-${counter}-${Date.now()}@example.test` } });
}

async function connect(userId: string, name: string) {
  const url = `https://${name.toLowerCase().replace(/\s+/g, "-")}.example.com/mcp`;
  const created = await createServerConnection({ userId, name, url, authType: "NONE", status: "CONNECTED" });
  return { mcpServerId: created.serverId, slug: created.slug, url };
}

describe("servers.health", () => {
  it("returns the caller's servers' health by id, and none of another user's", async () => {
    const restore = setTestEnv({ BACKEND_DOWN_AFTER_FAILURES: "2", BACKEND_RETRY_AFTER_SECONDS: "600" });
    try {
      const owner = await createUser();
      const stranger = await createUser();
      const down = await connect(owner.id, `Down Server ${counter}`);
      const healthy = await connect(owner.id, `Healthy Server ${counter}`);
      const unused = await connect(owner.id, `Unused Server ${counter}`);
      const strangers = await connect(stranger.id, `Stranger Server ${counter}`);
      for (const server of [down, strangers]) {
        await recordBackendOutcome({ backend: server, failure: { kind: "timeout" } });
        await recordBackendOutcome({ backend: server, failure: { kind: "http_error", status: 503 } });
      }
      await recordBackendOutcome({ backend: healthy, failure: null });

      const health = await callerFor(owner.id).servers.health();
      expect(Object.keys(health).sort()).toEqual([down, healthy, unused].map((s) => s.mcpServerId).sort());
      expect(health[down.mcpServerId]).toEqual({
        state: "down",
        lastError: "Answered HTTP 503",
        lastErrorCode: "http_503",
        lastErrorAt: expect.any(String),
        since: expect.any(String),
        retryAt: expect.any(String),
      });
      expect(health[healthy.mcpServerId]).toEqual({ state: "healthy", since: expect.any(String) });
      expect(health[unused.mcpServerId]).toEqual({ state: "unknown" });

      expect(await callerFor(stranger.id).servers.health()).toEqual({
        [strangers.mcpServerId]: expect.objectContaining({ state: "down" }),
      });
    } finally {
      restore();
    }
  });

  it("refuses a caller without a session", async () => {
    const error = await callerFor(null)
      .servers.health()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("UNAUTHORIZED");
  });
});
