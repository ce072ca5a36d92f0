import { createHash, timingSafeEqual } from "node:crypto";
import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import type { AiClient, AuthorizationCode } from "../../generated/prisma/client";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { InvalidGrantError, InvalidTargetError, UnauthorizedClientError } from "../oauth-errors";
import { generateOpaqueSecret, hashOpaqueSecret, SECRET_PREFIX } from "../opaque-secrets";
import { getActiveSigningKey } from "../signing-keys/get-active-signing-key";
import { AUTHORIZATION_CODE_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from "../token-lifetimes";
import { assertGrantStillValid } from "./assert-grant-still-valid";
import { issueAccessToken } from "./issue-access-token";
import { recordClientUse } from "./record-client-use";
import { revokeRefreshFamily } from "./revoke-refresh-family";
import type { TTokenResponse } from "./token-request-schemas";

// The authorization_code grant (RFC 6749 §4.1.3, OAuth 2.1 §4.1.3, RFC 7636, RFC 8707). A code is
// bound to its client, its exact redirect_uri, its resource and its PKCE challenge, lives at most ten
// minutes and is used once: consumption is a conditional update inside the issuing transaction, so of
// two concurrent exchanges one wins, and every later use is refused and revokes what the first one
// issued (RFC 6749 §4.1.2), since a second use means the code leaked.

const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

class CodeReusedError extends Error {}

function isVerifierMatching(codeVerifier: string, codeChallenge: string): boolean {
  const computed = Buffer.from(createHash("sha256").update(codeVerifier, "ascii").digest("base64url"));
  const expected = Buffer.from(codeChallenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

function assertCodeMatchesRequest(
  row: AuthorizationCode,
  request: { redirectUri?: string; codeVerifier?: string; resource?: string },
  now: Date,
): void {
  const age = now.getTime() - row.createdAt.getTime();
  if (row.expiresAt <= now || age > AUTHORIZATION_CODE_TTL_SECONDS * 1000) {
    throw new InvalidGrantError("The authorization code has expired.", { reason: "code_expired" });
  }
  if (request.redirectUri !== row.redirectUri) {
    throw new InvalidGrantError("redirect_uri does not match the authorization request.", {
      reason: "redirect_uri_mismatch",
    });
  }
  if (request.resource !== undefined && request.resource !== row.resource) {
    throw new InvalidTargetError("resource does not match the authorization request.", {
      reason: "resource_mismatch",
    });
  }
  if (request.codeVerifier === undefined) {
    throw new InvalidGrantError("code_verifier is required.", { reason: "code_verifier_missing" });
  }
  if (!CODE_VERIFIER.test(request.codeVerifier)) {
    throw new InvalidGrantError("code_verifier is malformed.", { reason: "code_verifier_malformed" });
  }
  if (row.codeChallengeMethod !== "S256" || !isVerifierMatching(request.codeVerifier, row.codeChallenge)) {
    throw new InvalidGrantError("code_verifier does not match the code challenge.", {
      reason: "code_verifier_mismatch",
    });
  }
}

async function revokeWhatTheCodeIssued(row: AuthorizationCode, origin: TRequestOrigin): Promise<never> {
  const family = await getDb().refreshTokenFamily.findUnique({ where: { authorizationCodeId: row.id } });
  if (family && (await revokeRefreshFamily({ familyId: family.id, reason: "code_reuse" }))) {
    writeAuditEvent({
      eventType: "oauth.token_revoked",
      outcome: "SUCCESS",
      actorUserId: row.userId,
      clientId: row.clientId,
      instanceId: row.instanceId,
      ...origin,
      reason: "code_reuse",
      detail: { familyId: family.id },
    });
  }
  throw new InvalidGrantError("The authorization code was already used.", { reason: "code_reused" });
}

export async function exchangeAuthorizationCode({
  client,
  code,
  redirectUri,
  codeVerifier,
  resource,
  origin,
  now = new Date(),
}: {
  client: AiClient;
  code: string;
  redirectUri?: string;
  codeVerifier?: string;
  resource?: string;
  origin: TRequestOrigin;
  now?: Date;
}): Promise<TTokenResponse> {
  if (client.grantTypes.length > 0 && !client.grantTypes.includes("authorization_code")) {
    throw new UnauthorizedClientError("This client is not registered for authorization_code.", {
      reason: "grant_type_not_registered",
    });
  }
  const db = getDb();
  const row = await db.authorizationCode.findUnique({ where: { codeHash: hashOpaqueSecret(code) } });
  // A code of another client is refused without touching it: that client cannot spend or revoke it.
  if (!row || row.clientId !== client.id) {
    throw new InvalidGrantError("The authorization code is invalid.", { reason: "code_unknown" });
  }
  if (row.consumedAt) return revokeWhatTheCodeIssued(row, origin);
  assertCodeMatchesRequest(row, { redirectUri, codeVerifier, resource }, now);

  const withRefreshToken = client.grantTypes.includes("refresh_token");
  const refreshToken = withRefreshToken ? generateOpaqueSecret(SECRET_PREFIX.refreshToken) : undefined;
  const signingKey = await getActiveSigningKey({ now });
  let issued: Awaited<ReturnType<typeof issueAccessToken>>;
  let familyId: string;
  try {
    ({ issued, familyId } = await db.$transaction(async (tx) => {
      const consumed = await tx.authorizationCode.updateMany({
        where: { id: row.id, consumedAt: null },
        data: { consumedAt: now },
      });
      if (consumed.count !== 1) throw new CodeReusedError();
      await assertGrantStillValid({
        db: tx,
        userId: row.userId,
        clientId: client.id,
        instanceId: row.instanceId,
      });
      const family = await tx.refreshTokenFamily.create({
        data: {
          clientId: client.id,
          userId: row.userId,
          instanceId: row.instanceId,
          scopes: row.scopes,
          resource: row.resource,
          authorizationCodeId: row.id,
          lastUsedAt: now,
        },
      });
      if (refreshToken) {
        await tx.refreshToken.create({
          data: {
            familyId: family.id,
            tokenHash: hashOpaqueSecret(refreshToken),
            expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
          },
        });
      }
      const accessToken = await issueAccessToken({
        client,
        userId: row.userId,
        instanceId: row.instanceId,
        scopes: row.scopes,
        familyId: family.id,
        signingKey,
        db: tx,
        now,
      });
      return { issued: accessToken, familyId: family.id };
    }));
  } catch (error) {
    // A concurrent exchange won the conditional update and has committed (this update waited for it).
    if (error instanceof CodeReusedError) return revokeWhatTheCodeIssued(row, origin);
    throw error;
  }

  await recordClientUse({ clientId: client.id, now });
  writeAuditEvent({
    eventType: "oauth.token_issued",
    outcome: "SUCCESS",
    actorUserId: row.userId,
    clientId: client.id,
    instanceId: row.instanceId,
    ...origin,
    detail: {
      grantType: "authorization_code",
      scope: issued.scope,
      familyId,
      refreshIssued: withRefreshToken,
    },
  });
  return {
    access_token: issued.accessToken,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: issued.scope,
  };
}
