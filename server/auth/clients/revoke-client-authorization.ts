import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";

// A user takes back what they gave an AI client (the AI clients page): their consents for it end, and
// with them every refresh family and access token the client holds for the user, in one transaction.
// Consents are updated first: a code exchange in flight holds its consent row (FOR SHARE, see
// assert-grant-still-valid.ts), so this waits for it and then revokes the family it created as well.

export type TRevokeClientAuthorizationResult = { revokedConsents: number; revokedFamilies: number };

export async function revokeClientAuthorization({
  userId,
  clientId,
  ip,
  userAgent,
}: {
  userId: string;
  /** AiClient.id */
  clientId: string;
  ip?: string;
  userAgent?: string;
}): Promise<TRevokeClientAuthorizationResult> {
  const now = new Date();
  const result = await getDb().$transaction(async (tx) => {
    const consents = await tx.consent.updateMany({
      where: { userId, clientId, revokedAt: null },
      data: { revokedAt: now },
    });
    const families = await tx.refreshTokenFamily.updateMany({
      where: { userId, clientId, revokedAt: null },
      data: { revokedAt: now, revokedReason: "user_revoked" },
    });
    await tx.issuedAccessToken.updateMany({
      where: { userId, clientId, revokedAt: null },
      data: { revokedAt: now },
    });
    return { revokedConsents: consents.count, revokedFamilies: families.count };
  });
  if (result.revokedConsents > 0 || result.revokedFamilies > 0) {
    writeAuditEvent({
      eventType: "oauth.consent_revoked",
      outcome: "SUCCESS",
      actorUserId: userId,
      clientId,
      ip,
      userAgent,
      detail: { ...result },
    });
  }
  return result;
}
