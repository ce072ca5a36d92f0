import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import type { TRequestOrigin } from "../../http/get-request-origin";
import type { TDeleteM2mClientInput } from "./m2m-client-schemas";

// Deletes one of the user's machine-to-machine clients. The row is disabled rather than removed, and its
// secret hash cleared, so the access tokens it was issued keep their IssuedAccessToken rows, now marked
// revoked, in the same transaction: a token in flight is refused from this moment, not at its expiry.
// A disabled client is unknown to resolveAiClient and no longer listed.

export async function deleteM2mClient({
  userId,
  id,
  origin,
}: TDeleteM2mClientInput & { userId: string; origin?: TRequestOrigin }): Promise<{ revokedTokens: number }> {
  const now = new Date();
  const result = await getDb().$transaction(async (tx) => {
    const disabled = await tx.aiClient.updateMany({
      where: { id, ownerUserId: userId, kind: "M2M", disabledAt: null },
      data: { disabledAt: now, clientSecretHash: null },
    });
    if (disabled.count === 0) return null;
    const revoked = await tx.issuedAccessToken.updateMany({
      where: { clientId: id, revokedAt: null },
      data: { revokedAt: now },
    });
    return { revokedTokens: revoked.count };
  });
  if (!result) {
    throw new AppError("NOT_FOUND", {
      message: "m2m client not found for its owner",
      userMessage: "Client not found.",
    });
  }

  writeAuditEvent({
    eventType: "oauth.token_revoked",
    outcome: "SUCCESS",
    actorUserId: userId,
    clientId: id,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    reason: "m2m_client_deleted",
    detail: { kind: "M2M", ...result },
  });
  return result;
}
