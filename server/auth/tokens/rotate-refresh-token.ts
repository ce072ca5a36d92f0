import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import type { AiClient, RefreshToken, RefreshTokenFamily } from "../../generated/prisma/client";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { InvalidGrantError, InvalidTargetError, UnauthorizedClientError } from "../oauth-errors";
import { generateOpaqueSecret, hashOpaqueSecret, SECRET_PREFIX } from "../opaque-secrets";
import { getActiveSigningKey } from "../signing-keys/get-active-signing-key";
import { REFRESH_TOKEN_TTL_SECONDS } from "../token-lifetimes";
import { assertGrantStillValid } from "./assert-grant-still-valid";
import { issueAccessToken } from "./issue-access-token";
import { narrowGrantedScopes } from "./narrow-granted-scopes";
import { recordClientUse } from "./record-client-use";
import { revokeRefreshFamily } from "./revoke-refresh-family";
import type { TTokenResponse } from "./token-request-schemas";

// The refresh_token grant with rotation (OAuth 2.1 §4.3, RFC 9700 §4.14.2): every use returns a new
// refresh token and marks the old one rotated, with a conditional update in the issuing transaction
// so two concurrent uses cannot both succeed. A rotated token presented again means two parties hold
// it, and the server cannot tell which is the thief: the whole family and its access tokens go.

class RefreshTokenReusedError extends Error {}

async function revokeFamilyForReuse(
  token: RefreshToken & { family: RefreshTokenFamily },
  origin: TRequestOrigin,
): Promise<never> {
  await revokeRefreshFamily({ familyId: token.familyId, reason: "refresh_token_reuse" });
  writeAuditEvent({
    eventType: "oauth.refresh_token_reuse_detected",
    outcome: "DENIED",
    actorUserId: token.family.userId,
    clientId: token.family.clientId,
    instanceId: token.family.instanceId,
    ...origin,
    reason: "refresh_token_reuse",
    detail: { familyId: token.familyId },
  });
  throw new InvalidGrantError("The refresh token was already used.", { reason: "refresh_token_reused" });
}

export async function rotateRefreshToken({
  client,
  refreshToken,
  scope,
  resource,
  origin,
  now = new Date(),
}: {
  client: AiClient;
  refreshToken: string;
  scope?: string;
  resource?: string;
  origin: TRequestOrigin;
  now?: Date;
}): Promise<TTokenResponse> {
  if (!client.grantTypes.includes("refresh_token")) {
    throw new UnauthorizedClientError("This client is not registered for refresh_token.", {
      reason: "grant_type_not_registered",
    });
  }
  const db = getDb();
  const token = await db.refreshToken.findUnique({
    where: { tokenHash: hashOpaqueSecret(refreshToken) },
    include: { family: true },
  });
  // Another client's token is refused without effect: it can neither use nor burn the family.
  if (!token || token.family.clientId !== client.id) {
    throw new InvalidGrantError("The refresh token is invalid.", { reason: "refresh_token_unknown" });
  }
  const { family } = token;
  if (family.revokedAt) {
    throw new InvalidGrantError("The refresh token was revoked.", { reason: "family_revoked" });
  }
  if (token.rotatedAt) return revokeFamilyForReuse(token, origin);
  if (token.expiresAt <= now) {
    throw new InvalidGrantError("The refresh token has expired.", { reason: "refresh_token_expired" });
  }
  if (resource !== undefined && resource !== family.resource) {
    throw new InvalidTargetError("resource does not match the grant.", { reason: "resource_mismatch" });
  }
  const scopes = await narrowGrantedScopes({
    granted: family.scopes,
    requested: scope,
    instanceId: family.instanceId,
  });

  const nextRefreshToken = generateOpaqueSecret(SECRET_PREFIX.refreshToken);
  const signingKey = await getActiveSigningKey({ now });
  let issued: Awaited<ReturnType<typeof issueAccessToken>>;
  try {
    issued = await db.$transaction(async (tx) => {
      // Lock order, shared with revoke-client-authorization.ts and revoke-refresh-family.ts: consent,
      // then family, then tokens; any other order could deadlock with a concurrent revocation.
      await assertGrantStillValid({
        db: tx,
        userId: family.userId,
        clientId: client.id,
        instanceId: family.instanceId,
      });
      const live = await tx.refreshTokenFamily.updateMany({
        where: { id: family.id, revokedAt: null },
        data: { lastUsedAt: now },
      });
      if (live.count !== 1) {
        throw new InvalidGrantError("The refresh token was revoked.", { reason: "family_revoked" });
      }
      const rotated = await tx.refreshToken.updateMany({
        where: { id: token.id, rotatedAt: null },
        data: { rotatedAt: now },
      });
      if (rotated.count !== 1) throw new RefreshTokenReusedError();
      await tx.refreshToken.create({
        data: {
          familyId: family.id,
          tokenHash: hashOpaqueSecret(nextRefreshToken),
          expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
        },
      });
      const accessToken = await issueAccessToken({
        client,
        userId: family.userId,
        instanceId: family.instanceId,
        scopes,
        familyId: family.id,
        signingKey,
        db: tx,
        now,
      });
      return accessToken;
    });
  } catch (error) {
    // A concurrent request rotated this token first (this update waited for its commit).
    if (error instanceof RefreshTokenReusedError) return revokeFamilyForReuse(token, origin);
    throw error;
  }

  await recordClientUse({ clientId: client.id, now });
  writeAuditEvent({
    eventType: "oauth.token_refreshed",
    outcome: "SUCCESS",
    actorUserId: family.userId,
    clientId: client.id,
    instanceId: family.instanceId,
    ...origin,
    detail: { scope: issued.scope, familyId: family.id },
  });
  return {
    access_token: issued.accessToken,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    refresh_token: nextRefreshToken,
    scope: issued.scope,
  };
}
