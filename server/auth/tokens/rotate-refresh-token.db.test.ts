import { decodeJwt } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import {
  createTestAiClient,
  createTestAuthorizationCode,
  createTestInstance,
  createTestUser,
} from "../../testing/tier1-fixtures";
import { InvalidGrantError, InvalidScopeError, InvalidTargetError, type OAuthError } from "../oauth-errors";
import { hashOpaqueSecret } from "../opaque-secrets";
import { getInstanceResourceUrl } from "../resource-urls";
import { exchangeAuthorizationCode } from "./exchange-authorization-code";
import { revokeRefreshFamily } from "./revoke-refresh-family";
import { rotateRefreshToken } from "./rotate-refresh-token";

const db = getDb();
const origin = { ip: "198.51.100.2", userAgent: "vitest" };

let userId: string;
let instanceId: string;
let client: AiClient;

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: ["notion", "linear"] })).id;
  client = (await createTestAiClient()).client;
});

async function startGrant(scopes = ["mcp:access:*"]) {
  const issued = await createTestAuthorizationCode({ clientId: client.id, userId, instanceId, scopes });
  const response = await exchangeAuthorizationCode({ client, origin, ...issued });
  return response.refresh_token as string;
}

const jtiOf = (token: string) => decodeJwt(token).jti as string;
const refreshRow = (token: string) =>
  db.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashOpaqueSecret(token) } });

describe("rotateRefreshToken", () => {
  it("rotates: a new refresh token and access token, the old refresh token marked rotated", async () => {
    const first = await startGrant();
    const second = await rotateRefreshToken({ client, refreshToken: first, origin });
    expect(second.refresh_token).toMatch(/^tmk_rt_/);
    expect(second.refresh_token).not.toBe(first);
    expect(second.scope).toBe("mcp:access:*");
    const oldRow = await refreshRow(first);
    const newRow = await refreshRow(second.refresh_token as string);
    expect(oldRow.rotatedAt).not.toBeNull();
    expect(newRow.rotatedAt).toBeNull();
    expect(newRow.familyId).toBe(oldRow.familyId);
    const third = await rotateRefreshToken({ client, refreshToken: second.refresh_token as string, origin });
    expect(third.access_token).not.toBe(second.access_token);
  });

  it("on reuse of a rotated token revokes the whole family and its access tokens, audited", async () => {
    const first = await startGrant();
    const second = await rotateRefreshToken({ client, refreshToken: first, origin });

    const error = await rotateRefreshToken({ client, refreshToken: first, origin }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect((error as OAuthError).reason).toBe("refresh_token_reused");

    const row = await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: jtiOf(second.access_token) } });
    expect(row.revokedAt).not.toBeNull();
    const family = await db.refreshTokenFamily.findUniqueOrThrow({ where: { id: row.familyId as string } });
    expect(family.revokedReason).toBe("refresh_token_reuse");
    // The legitimate holder's newer token dies with the family.
    await expect(
      rotateRefreshToken({ client, refreshToken: second.refresh_token as string, origin }),
    ).rejects.toBeInstanceOf(InvalidGrantError);

    await flushAuditEvents();
    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "oauth.refresh_token_reuse_detected", actorUserId: userId },
    });
    expect(audit).toMatchObject({ clientId: client.id, instanceId, reason: "refresh_token_reuse" });
    expect(JSON.stringify(audit)).not.toContain(first);
  });

  it("lets exactly one of two concurrent uses succeed; the other counts as reuse and ends the family", async () => {
    const first = await startGrant();
    const results = await Promise.allSettled([
      rotateRefreshToken({ client, refreshToken: first, origin }),
      rotateRefreshToken({ client, refreshToken: first, origin }),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r) => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    // The loser waited for the winner's commit, then found its token rotated: two parties hold it.
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidGrantError);
    expect(((rejected[0] as PromiseRejectedResult).reason as OAuthError).reason).toBe("refresh_token_reused");
    const winner = (fulfilled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof rotateRefreshToken>>>)
      .value;
    const row = await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: jtiOf(winner.access_token) } });
    expect(row.revokedAt).not.toBeNull();
    const family = await db.refreshTokenFamily.findUniqueOrThrow({ where: { id: row.familyId as string } });
    expect(family.revokedReason).toBe("refresh_token_reuse");
    expect(await db.refreshToken.count({ where: { familyId: family.id, rotatedAt: null } })).toBe(1);
  });

  it("audits a successful refresh as oauth.token_refreshed, without the tokens", async () => {
    const first = await startGrant();
    const second = await rotateRefreshToken({ client, refreshToken: first, origin });
    await flushAuditEvents();
    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "oauth.token_refreshed", clientId: client.id },
    });
    expect(audit).toMatchObject({
      outcome: "SUCCESS",
      actorUserId: userId,
      instanceId,
      ip: origin.ip,
      userAgent: origin.userAgent,
      detail: { scope: "mcp:access:*" },
    });
    const text = JSON.stringify(audit);
    for (const secret of [first, second.refresh_token as string, second.access_token]) {
      expect(text).not.toContain(secret);
    }
  });

  it("refuses a token of a revoked family", async () => {
    const first = await startGrant();
    const token = await db.refreshToken.findFirstOrThrow({ where: { family: { clientId: client.id } } });
    await revokeRefreshFamily({ familyId: token.familyId, reason: "test" });
    const error = await rotateRefreshToken({ client, refreshToken: first, origin }).catch((e: unknown) => e);
    expect((error as OAuthError).reason).toBe("family_revoked");
  });

  it("refuses an expired refresh token", async () => {
    const first = await startGrant();
    await db.refreshToken.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const error = await rotateRefreshToken({ client, refreshToken: first, origin }).catch((e: unknown) => e);
    expect((error as OAuthError).reason).toBe("refresh_token_expired");
  });

  it("refuses another client's refresh token without burning it", async () => {
    const first = await startGrant();
    const other = (await createTestAiClient()).client;
    await expect(rotateRefreshToken({ client: other, refreshToken: first, origin })).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    await expect(rotateRefreshToken({ client, refreshToken: first, origin })).resolves.toBeDefined();
  });

  it("refuses an unknown refresh token", async () => {
    await expect(
      rotateRefreshToken({ client, refreshToken: "tmk_rt_unknown", origin }),
    ).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it("narrows the scope of the access token, and keeps the family's scope for the next refresh", async () => {
    const first = await startGrant(["mcp:access:notion", "mcp:access:linear"]);
    const narrowed = await rotateRefreshToken({
      client,
      refreshToken: first,
      scope: "mcp:access:notion",
      origin,
    });
    expect(narrowed.scope).toBe("mcp:access:notion");
    expect(decodeJwt(narrowed.access_token).scope).toBe("mcp:access:notion");
    const next = await rotateRefreshToken({ client, refreshToken: narrowed.refresh_token as string, origin });
    expect(next.scope).toBe("mcp:access:notion mcp:access:linear");
  });

  it("narrows mcp:access:* to one server of the instance", async () => {
    const first = await startGrant(["mcp:access:*"]);
    const narrowed = await rotateRefreshToken({
      client,
      refreshToken: first,
      scope: "mcp:access:linear",
      origin,
    });
    expect(narrowed.scope).toBe("mcp:access:linear");
  });

  it.each([
    ["a server not granted", ["mcp:access:notion"], "mcp:access:linear"],
    ["the wildcard from a single server", ["mcp:access:notion"], "mcp:access:*"],
    ["a server the instance does not bundle", ["mcp:access:*"], "mcp:access:github"],
  ])("refuses widening to %s, and the token stays usable", async (_label, granted, scope) => {
    const first = await startGrant(granted);
    const error = await rotateRefreshToken({ client, refreshToken: first, scope, origin }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidScopeError);
    await expect(rotateRefreshToken({ client, refreshToken: first, origin })).resolves.toBeDefined();
  });

  it("refuses a resource other than the family's", async () => {
    const first = await startGrant();
    const other = await createTestInstance({ userId });
    await expect(
      rotateRefreshToken({ client, refreshToken: first, resource: getInstanceResourceUrl(other.id), origin }),
    ).rejects.toBeInstanceOf(InvalidTargetError);
    await expect(
      rotateRefreshToken({
        client,
        refreshToken: first,
        resource: getInstanceResourceUrl(instanceId),
        origin,
      }),
    ).resolves.toBeDefined();
  });
});
