import { createHash, randomBytes } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
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
import {
  InvalidGrantError,
  InvalidTargetError,
  type OAuthError,
  UnauthorizedClientError,
} from "../oauth-errors";
import { getInstanceResourceUrl, getIssuer } from "../resource-urls";
import { exchangeAuthorizationCode } from "./exchange-authorization-code";
import { rotateRefreshToken } from "./rotate-refresh-token";

const db = getDb();
const origin = { ip: "198.51.100.1", userAgent: "vitest" };

let userId: string;
let instanceId: string;
let client: AiClient;

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: [] })).id;
  client = (await createTestAiClient()).client;
});

const newCode = (overrides: Partial<Parameters<typeof createTestAuthorizationCode>[0]> = {}) =>
  createTestAuthorizationCode({ clientId: client.id, userId, instanceId, ...overrides });

const reasonOf = (error: unknown) => (error as OAuthError).reason;

describe("exchangeAuthorizationCode", () => {
  it("issues an at+jwt bound to the instance, a refresh token, and records the jti", async () => {
    const { code, codeVerifier, redirectUri } = await newCode({ scopes: ["mcp:access:*"] });
    const response = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin });

    expect(response).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "mcp:access:*" });
    expect(response.refresh_token).toMatch(/^tmk_rt_/);
    expect(decodeProtectedHeader(response.access_token)).toMatchObject({ alg: "ES256", typ: "at+jwt" });
    const claims = decodeJwt(response.access_token);
    expect(claims).toMatchObject({
      iss: getIssuer(),
      aud: getInstanceResourceUrl(instanceId),
      sub: userId,
      client_id: client.clientId,
      scope: "mcp:access:*",
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    const row = await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: claims.jti as string } });
    expect(row).toMatchObject({ clientId: client.id, userId, instanceId, revokedAt: null });
    expect(row.familyId).not.toBeNull();

    await flushAuditEvents();
    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "oauth.token_issued", actorUserId: userId },
    });
    expect(audit).toMatchObject({ outcome: "SUCCESS", clientId: client.id, instanceId, ip: origin.ip });
    expect(JSON.stringify(audit)).not.toContain(response.access_token);
    expect(JSON.stringify(audit)).not.toContain(response.refresh_token);
  });

  it("issues no refresh token to a client not registered for refresh_token", async () => {
    client = (await createTestAiClient({ grantTypes: ["authorization_code"] })).client;
    const { code, codeVerifier, redirectUri } = await newCode();
    const response = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin });
    expect(response.refresh_token).toBeUndefined();
  });

  it("refuses a second use and revokes what the first use issued", async () => {
    const { code, codeVerifier, redirectUri } = await newCode();
    const first = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin });

    const error = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(reasonOf(error)).toBe("code_reused");

    const jti = decodeJwt(first.access_token).jti as string;
    const row = await db.issuedAccessToken.findUniqueOrThrow({ where: { jti } });
    expect(row.revokedAt).not.toBeNull();
    const family = await db.refreshTokenFamily.findUniqueOrThrow({ where: { id: row.familyId as string } });
    expect(family.revokedReason).toBe("code_reuse");
    await expect(
      rotateRefreshToken({ client, refreshToken: first.refresh_token as string, origin }),
    ).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it("lets one of two concurrent exchanges succeed; the loser revokes the winner's tokens", async () => {
    const { code, codeVerifier, redirectUri } = await newCode();
    const results = await Promise.allSettled([
      exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }),
      exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    const tokens = await db.issuedAccessToken.findMany({ where: { clientId: client.id } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.revokedAt).not.toBeNull();
  });

  it("refuses an expired code", async () => {
    const createdAt = new Date(Date.now() - 11 * 60 * 1000);
    const { code, codeVerifier, redirectUri } = await newCode({ createdAt });
    const error = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(reasonOf(error)).toBe("code_expired");
  });

  it("refuses a code issued to another client, and leaves it usable by its own client", async () => {
    const { code, codeVerifier, redirectUri } = await newCode();
    const other = (await createTestAiClient()).client;
    const error = await exchangeAuthorizationCode({
      client: other,
      code,
      redirectUri,
      codeVerifier,
      origin,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    await expect(
      exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }),
    ).resolves.toMatchObject({ token_type: "Bearer" });
  });

  it.each([
    ["a trailing slash", "http://127.0.0.1:33418/callback/"],
    ["another case", "http://127.0.0.1:33418/Callback"],
    ["an extra query", "http://127.0.0.1:33418/callback?x=1"],
    ["another port", "http://127.0.0.1:33419/callback"],
    ["no redirect_uri", undefined],
  ])("refuses a redirect_uri with %s", async (_label, redirectUri) => {
    const { code, codeVerifier } = await newCode();
    const error = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(reasonOf(error)).toBe("redirect_uri_mismatch");
  });

  it.each([
    ["a wrong verifier", randomBytes(32).toString("base64url"), "code_verifier_mismatch"],
    ["a missing verifier", undefined, "code_verifier_missing"],
    ["a too short verifier", "abc", "code_verifier_malformed"],
    ["a verifier with forbidden characters", `${"a".repeat(43)} +`, "code_verifier_malformed"],
  ])("refuses %s", async (_label, codeVerifier, reason) => {
    const { code, redirectUri } = await newCode();
    const error = await exchangeAuthorizationCode({ client, code, redirectUri, codeVerifier, origin }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(reasonOf(error)).toBe(reason);
  });

  it("refuses the challenge itself sent as verifier (plain PKCE)", async () => {
    const { code, redirectUri, row } = await newCode();
    const error = await exchangeAuthorizationCode({
      client,
      code,
      redirectUri,
      codeVerifier: row.codeChallenge,
      origin,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(reasonOf(error)).toBe("code_verifier_mismatch");
    expect(createHash("sha256").update(row.codeChallenge).digest("base64url")).not.toBe(row.codeChallenge);
  });

  it("refuses another resource, accepts the code's own", async () => {
    const { code, codeVerifier, redirectUri } = await newCode();
    const otherInstance = await createTestInstance({ userId });
    const error = await exchangeAuthorizationCode({
      client,
      code,
      redirectUri,
      codeVerifier,
      resource: getInstanceResourceUrl(otherInstance.id),
      origin,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTargetError);
    const response = await exchangeAuthorizationCode({
      client,
      code,
      redirectUri,
      codeVerifier,
      resource: getInstanceResourceUrl(instanceId),
      origin,
    });
    expect(decodeJwt(response.access_token).aud).toBe(getInstanceResourceUrl(instanceId));
  });

  it("refuses when the consent was revoked or the instance changed hands", async () => {
    const revoked = await newCode();
    await db.consent.updateMany({ where: { userId, clientId: client.id }, data: { revokedAt: new Date() } });
    const error = await exchangeAuthorizationCode({ client, origin, ...revoked }).catch((e: unknown) => e);
    expect(reasonOf(error)).toBe("grant_revoked");

    const moved = await newCode();
    const otherUser = await createTestUser();
    await db.mcpInstance.update({ where: { id: instanceId }, data: { userId: otherUser.id } });
    const error2 = await exchangeAuthorizationCode({ client, origin, ...moved }).catch((e: unknown) => e);
    expect(reasonOf(error2)).toBe("grant_revoked");
    expect(await db.issuedAccessToken.count({ where: { clientId: client.id } })).toBe(0);
  });

  it("refuses a client not registered for authorization_code", async () => {
    const { code, codeVerifier, redirectUri } = await newCode();
    const m2m = { ...client, grantTypes: ["client_credentials"] };
    await expect(
      exchangeAuthorizationCode({ client: m2m, code, redirectUri, codeVerifier, origin }),
    ).rejects.toBeInstanceOf(UnauthorizedClientError);
  });
});
