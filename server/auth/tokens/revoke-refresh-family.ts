import { getDb } from "../../db";

// Ends a grant: the refresh family and every access token issued from it, in one transaction. The
// family row is updated first: a concurrent rotation holds or waits for that row's lock, so an access
// token it creates is either refused by its own conditional update or committed before this
// transaction's second statement runs, and revoked by it.

/** Resolves true when this call revoked the family, false when it was already revoked or is unknown. */
export async function revokeRefreshFamily({
  familyId,
  reason,
  now = new Date(),
}: {
  familyId: string;
  reason: string;
  now?: Date;
}): Promise<boolean> {
  return getDb().$transaction(async (tx) => {
    const family = await tx.refreshTokenFamily.updateMany({
      where: { id: familyId, revokedAt: null },
      data: { revokedAt: now, revokedReason: reason },
    });
    await tx.issuedAccessToken.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: now },
    });
    return family.count === 1;
  });
}
