import { randomUUID } from "node:crypto";
import { extractWWWAuthenticateParams } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getProtectedResourceMetadataUrl } from "../auth/resource-urls";
import { assertServerScope } from "../auth/verify/assert-server-scope";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { getRedis } from "../redis";
import { signTestAccessToken } from "../testing/mcp-auth-fixtures";
import { createTestAiClient, createTestInstance, createTestUser } from "../testing/tier1-fixtures";
import { withMcpAuth } from "./with-mcp-auth";

// withMcpAuth's edges that the interim /mcp route cannot reach: what a refused request may write to
// the audit log, and a handler's scope refusal.

let user: { id: string };
let instance: { id: string };
let client: { id: string; clientId: string };

beforeAll(async () => {
  vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
  resetEnvCache();
  user = await createTestUser();
  instance = await createTestInstance({ userId: user.id, serverSlugs: [`s-${randomUUID().slice(0, 8)}`] });
  client = (await createTestAiClient()).client;
});

afterAll(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

const handler = withMcpAuth(async ({ auth }) => {
  assertServerScope({ auth, serverSlug: "linear" });
  return Response.json({ ok: true });
});

const call = (options: { instanceId?: string; token?: string; ip: string; userAgent?: string }) => {
  const instanceId = options.instanceId ?? instance.id;
  const headers = new Headers({
    "x-forwarded-for": options.ip,
    "user-agent": options.userAgent ?? "vitest",
  });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const request = new Request(`http://localhost:3000/mcp/${instanceId}`, { method: "POST", headers });
  return handler(request, { params: Promise.resolve({ instanceId }) });
};

const authFailures = async (where: { instanceId?: string; userAgent?: string }) => {
  await flushAuditEvents();
  return getDb().auditLog.findMany({ where: { eventType: "mcp.auth_failed", ...where } });
};

describe("withMcpAuth audit of refused requests", () => {
  it("writes one row per instance, reason and address a minute, naming the owner in detail", async () => {
    const userAgent = `vitest-${randomUUID()}`;
    for (let i = 0; i < 3; i++) {
      expect((await call({ token: "not-a-jwt", ip: "203.0.113.10", userAgent })).status).toBe(401);
    }
    expect((await call({ token: "not-a-jwt", ip: "203.0.113.11", userAgent })).status).toBe(401);
    expect((await call({ ip: "203.0.113.10", userAgent })).status).toBe(401);
    const rows = await authFailures({ userAgent });
    expect(rows.map((row) => `${row.reason}@${row.ip}`).sort()).toEqual([
      "malformed_token@203.0.113.10",
      "malformed_token@203.0.113.11",
      "missing_token@203.0.113.10",
    ]);
    // No actor: the sender is unknown, and the owner must not read as the one who failed.
    for (const row of rows) {
      expect(row).toMatchObject({
        actorUserId: null,
        instanceId: instance.id,
        detail: { instanceOwnerId: user.id },
      });
    }
  });

  it("writes nothing for an instance that does not exist", async () => {
    const unknown = randomUUID();
    for (let i = 0; i < 3; i++) {
      expect(
        (await call({ instanceId: unknown, token: "not-a-jwt", ip: `203.0.113.${20 + i}` })).status,
      ).toBe(401);
    }
    expect(await authFailures({ instanceId: unknown })).toEqual([]);
  });

  it("audits every failure when Redis cannot thin out repeats", async () => {
    const userAgent = `vitest-${randomUUID()}`;
    const set = vi.spyOn(getRedis(), "set").mockRejectedValue(new Error("redis down"));
    try {
      for (let i = 0; i < 2; i++) {
        expect((await call({ token: "not-a-jwt", ip: "203.0.113.30", userAgent })).status).toBe(401);
      }
    } finally {
      set.mockRestore();
    }
    expect(await authFailures({ userAgent })).toHaveLength(2);
  });
});

describe("withMcpAuth challenges name the scopes the request needs", () => {
  it("a 401 without a token: the bare challenge with scope mcp:access:*, as an MCP client reads it", async () => {
    const response = await call({ ip: "203.0.113.50" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer scope="mcp:access:*", resource_metadata="${getProtectedResourceMetadataUrl(instance.id)}"`,
    );
    // The 2026-07-28 SDK's own parser: the scope it will ask for, and no error to act on.
    expect(extractWWWAuthenticateParams(response)).toEqual({
      resourceMetadataUrl: new URL(getProtectedResourceMetadataUrl(instance.id)),
      scope: "mcp:access:*",
      error: undefined,
      errorDescription: undefined,
    });
  });

  it("a 401 for a bad token, an unknown instance or an API key: the same scope after the error", async () => {
    const unknown = randomUUID();
    for (const [instanceId, token] of [
      [instance.id, "not-a-jwt"],
      [unknown, "not-a-jwt"],
      [instance.id, `tumiki_${"x".repeat(40)}`],
    ] as const) {
      const response = await call({ instanceId, token, ip: "203.0.113.51" });
      expect(response.status).toBe(401);
      const challenge = extractWWWAuthenticateParams(response);
      expect(challenge.error).toBe("invalid_token");
      expect(challenge.scope).toBe("mcp:access:*");
      expect(challenge.resourceMetadataUrl?.href).toBe(getProtectedResourceMetadataUrl(instanceId));
    }
  });

  it("a 403 names only what the call needs: not the token's other scopes, never offline_access", async () => {
    const { token } = await signTestAccessToken({
      userId: user.id,
      instanceId: instance.id,
      client,
      scope: "mcp:access:notion mcp:access:figma",
    });
    const response = await call({ token, ip: "203.0.113.52" });
    expect(response.status).toBe(403);
    const challenge = extractWWWAuthenticateParams(response);
    expect(challenge).toMatchObject({ error: "insufficient_scope", scope: "mcp:access:linear" });
    const header = response.headers.get("www-authenticate") ?? "";
    expect(header).not.toContain("notion");
    expect(header).not.toContain("figma");
    expect(header).not.toContain("offline_access");
  });

  it("never names offline_access in a 401 (refresh tokens are not a resource requirement)", async () => {
    for (const token of [undefined, "not-a-jwt"]) {
      const response = await call({ token, ip: "203.0.113.53" });
      expect(response.headers.get("www-authenticate")).not.toContain("offline_access");
    }
  });
});

describe("withMcpAuth scope refusal from the handler", () => {
  it("answers 403 insufficient_scope with the scope and metadata, audited with the AiClient id", async () => {
    const { token } = await signTestAccessToken({
      userId: user.id,
      instanceId: instance.id,
      client,
      scope: "mcp:access:notion",
    });
    const userAgent = `vitest-${randomUUID()}`;
    const response = await call({ token, ip: "203.0.113.40", userAgent });
    expect(response.status).toBe(403);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer error="insufficient_scope"/);
    expect(challenge).toContain('scope="mcp:access:linear"');
    expect(challenge).toContain(`resource_metadata="${getProtectedResourceMetadataUrl(instance.id)}"`);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });

    await flushAuditEvents();
    const event = await getDb().auditLog.findFirst({
      where: { eventType: "mcp.scope_denied", instanceId: instance.id },
    });
    expect(event).toMatchObject({
      outcome: "DENIED",
      actorUserId: user.id,
      clientId: client.id,
      reason: "insufficient_scope",
      detail: { requiredScope: "mcp:access:linear", oauthClientId: client.clientId, authKind: "oauth" },
    });
  });
});
