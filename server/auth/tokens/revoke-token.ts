import { decodeProtectedHeader, jwtVerify } from "jose";
import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { hashOpaqueSecret } from "../opaque-secrets";
import { getIssuer } from "../resource-urls";
import { findVerificationKey } from "../signing-keys/find-verification-key";
import { revokeRefreshFamily } from "./revoke-refresh-family";

// RFC 7009 token revocation. A refresh token ends its family and the family's access tokens; an access
// token is refused by /mcp from now on (its jti row is marked). `token_type_hint` is only a hint, so
// both kinds are tried. Nothing is revealed: an unknown token, a token of another client or one
// already revoked all answer the same 200 (RFC 7009 §2.2), and only an effective revocation is audited.

type TRevocationTarget = { userId: string | null; instanceId: string; detail: Record<string, string> };

async function revokeRefreshToken(client: AiClient, token: string): Promise<TRevocationTarget | null> {
  const row = await getDb().refreshToken.findUnique({
    where: { tokenHash: hashOpaqueSecret(token) },
    include: { family: true },
  });
  if (!row || row.family.clientId !== client.id) return null;
  const revoked = await revokeRefreshFamily({ familyId: row.familyId, reason: "client_revoked" });
  if (!revoked) return null;
  return {
    userId: row.family.userId,
    instanceId: row.family.instanceId,
    detail: { kind: "refresh_token", familyId: row.familyId },
  };
}

async function readVerifiedJti(token: string): Promise<string | null> {
  try {
    const { kid, alg } = decodeProtectedHeader(token);
    if (!kid || alg !== "ES256") return null;
    const key = await findVerificationKey({ kid });
    if (!key) return null;
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      typ: "at+jwt",
      issuer: getIssuer(),
    });
    return payload.jti ?? null;
  } catch {
    // Not a JWT of ours, or expired: there is nothing left to revoke.
    return null;
  }
}

async function revokeAccessToken(client: AiClient, token: string): Promise<TRevocationTarget | null> {
  const jti = await readVerifiedJti(token);
  if (!jti) return null;
  const db = getDb();
  const revoked = await db.issuedAccessToken.updateMany({
    where: { jti, clientId: client.id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (revoked.count !== 1) return null;
  const row = await db.issuedAccessToken.findUnique({ where: { jti } });
  if (!row) return null;
  return { userId: row.userId, instanceId: row.instanceId, detail: { kind: "access_token", jti } };
}

export async function revokeToken({
  client,
  token,
  tokenTypeHint,
  origin,
}: {
  client: AiClient;
  token: string;
  tokenTypeHint?: string;
  origin: TRequestOrigin;
}): Promise<void> {
  const order =
    tokenTypeHint === "access_token"
      ? [revokeAccessToken, revokeRefreshToken]
      : [revokeRefreshToken, revokeAccessToken];
  for (const revoke of order) {
    const target = await revoke(client, token);
    if (!target) continue;
    writeAuditEvent({
      eventType: "oauth.token_revoked",
      outcome: "SUCCESS",
      actorUserId: target.userId ?? undefined,
      clientId: client.id,
      instanceId: target.instanceId,
      ...origin,
      reason: "client_revoked",
      detail: target.detail,
    });
    return;
  }
}
