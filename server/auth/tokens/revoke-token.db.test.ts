import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
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
import { revokeClientAuthorization } from "../clients/revoke-client-authorization";
import { InvalidGrantError } from "../oauth-errors";
import { getIssuer } from "../resource-urls";
import { exchangeAuthorizationCode } from "./exchange-authorization-code";
import { revokeToken } from "./revoke-token";
import { rotateRefreshToken } from "./rotate-refresh-token";

const db = getDb();
const origin = { ip: "198.51.100.4", userAgent: "vitest" };

let userId: string;
let instanceId: string;
let client: AiClient;

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId })).id;
  client = (await createTestAiClient()).client;
});

async function startGrant(forClient = client) {
  const issued = await createTestAuthorizationCode({ clientId: forClient.id, userId, instanceId });
  const response = await exchangeAuthorizationCode({ client: forClient, origin, ...issued });
  const jti = decodeJwt(response.access_token).jti as string;
  return { ...response, refreshToken: response.refresh_token as string, jti };
}

const accessRow = (jti: string) => db.issuedAccessToken.findUniqueOrThrow({ where: { jti } });

describe("revokeToken", () => {
  it("revokes a refresh token's family and its access tokens, audited without the token", async () => {
    const grant = await startGrant();
    await revokeToken({ client, token: grant.refreshToken, tokenTypeHint: "refresh_token", origin });
    expect((await accessRow(grant.jti)).revokedAt).not.toBeNull();
    await expect(
      rotateRefreshToken({ client, refreshToken: grant.refreshToken, origin }),
    ).rejects.toBeInstanceOf(InvalidGrantError);
    await flushAuditEvents();
    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "oauth.token_revoked", actorUserId: userId },
    });
    expect(audit).toMatchObject({ outcome: "SUCCESS", clientId: client.id, instanceId });
    expect(JSON.stringify(audit)).not.toContain(grant.refreshToken);
  });

  it("revokes an access token by jti whatever the hint, leaving the refresh token", async () => {
    const grants: Awaited<ReturnType<typeof startGrant>>[] = [];
    for (const hint of [undefined, "access_token", "refresh_token", "something_else"]) {
      const grant = await startGrant();
      grants.push(grant);
      await revokeToken({ client, token: grant.access_token, tokenTypeHint: hint, origin });
      expect((await accessRow(grant.jti)).revokedAt).not.toBeNull();
      await expect(
        rotateRefreshToken({ client, refreshToken: grant.refreshToken, origin }),
      ).resolves.toBeDefined();
    }
    await flushAuditEvents();
    const audits = await db.auditLog.findMany({
      where: { eventType: "oauth.token_revoked", clientId: client.id },
    });
    expect(audits).toHaveLength(grants.length);
    for (const audit of audits) {
      expect(audit).toMatchObject({ outcome: "SUCCESS", actorUserId: userId, instanceId, ip: origin.ip });
    }
    expect(audits.map((audit) => audit.detail)).toEqual(
      expect.arrayContaining(grants.map((grant) => ({ kind: "access_token", jti: grant.jti }))),
    );
    for (const grant of grants) {
      expect(JSON.stringify(audits)).not.toContain(grant.access_token);
      expect(JSON.stringify(audits)).not.toContain(grant.refreshToken);
    }
  });

  it("ignores another client's tokens", async () => {
    const grant = await startGrant();
    const other = (await createTestAiClient()).client;
    await revokeToken({ client: other, token: grant.refreshToken, origin });
    await revokeToken({ client: other, token: grant.access_token, origin });
    expect((await accessRow(grant.jti)).revokedAt).toBeNull();
    await expect(
      rotateRefreshToken({ client, refreshToken: grant.refreshToken, origin }),
    ).resolves.toBeDefined();
    await flushAuditEvents();
    expect(await db.auditLog.count({ where: { eventType: "oauth.token_revoked", clientId: other.id } })).toBe(
      0,
    );
  });

  it("ignores unknown, garbage and forged tokens", async () => {
    const grant = await startGrant();
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT({ client_id: client.clientId })
      .setProtectedHeader({
        alg: "ES256",
        typ: "at+jwt",
        kid: decodeProtectedHeader(grant.access_token).kid as string,
      })
      .setIssuer(getIssuer())
      .setJti(grant.jti)
      .setExpirationTime("5m")
      .sign(privateKey);
    for (const token of ["tmk_rt_unknown", "garbage", "a.b.c", forged]) {
      await expect(revokeToken({ client, token, origin })).resolves.toBeUndefined();
    }
    expect((await accessRow(grant.jti)).revokedAt).toBeNull();
    await flushAuditEvents();
    expect(
      await db.auditLog.count({ where: { eventType: "oauth.token_revoked", clientId: client.id } }),
    ).toBe(0);
  });
});

describe("revokeClientAuthorization", () => {
  it("revokes the user's consents, families and access tokens for that client only", async () => {
    const first = await startGrant();
    const second = await startGrant();
    const otherClient = (await createTestAiClient()).client;
    const untouched = await startGrant(otherClient);

    const result = await revokeClientAuthorization({ userId, clientId: client.id, ...origin });
    expect(result).toEqual({ revokedConsents: 1, revokedFamilies: 2 });

    for (const grant of [first, second]) {
      expect((await accessRow(grant.jti)).revokedAt).not.toBeNull();
      await expect(
        rotateRefreshToken({ client, refreshToken: grant.refreshToken, origin }),
      ).rejects.toBeInstanceOf(InvalidGrantError);
    }
    expect((await accessRow(untouched.jti)).revokedAt).toBeNull();
    const consent = await db.consent.findFirstOrThrow({ where: { userId, clientId: client.id } });
    expect(consent.revokedAt).not.toBeNull();

    // A code issued before the revocation cannot be exchanged after it.
    const pending = await createTestAuthorizationCode({
      clientId: client.id,
      userId,
      instanceId,
      withConsent: false,
    });
    await expect(exchangeAuthorizationCode({ client, origin, ...pending })).rejects.toBeInstanceOf(
      InvalidGrantError,
    );

    await flushAuditEvents();
    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "oauth.consent_revoked", actorUserId: userId },
    });
    expect(audit).toMatchObject({ clientId: client.id, ip: origin.ip });
  });
});
