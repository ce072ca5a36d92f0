import type { Db } from "../../db";
import { InvalidGrantError } from "../oauth-errors";

// A code or refresh token is only worth a new access token while what it stands for still holds: the
// instance still belongs to the user and the user's consent for this client and instance is not
// revoked. Run inside the issuing transaction: FOR SHARE holds the consent row until the new family and
// tokens are committed, so revoke-client-authorization.ts (which updates consents first) waits, then
// revokes them too, instead of missing a family committed a moment after its check.

export async function assertGrantStillValid({
  db,
  userId,
  clientId,
  instanceId,
}: {
  db: Pick<Db, "$queryRaw">;
  userId: string;
  /** AiClient.id */
  clientId: string;
  instanceId: string;
}): Promise<void> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT c."id" FROM "Consent" c
    JOIN "McpInstance" i ON i."id" = c."instanceId"
    WHERE c."userId" = ${userId} AND c."clientId" = ${clientId} AND c."instanceId" = ${instanceId}
      AND c."revokedAt" IS NULL AND i."userId" = ${userId}
    FOR SHARE OF c`;
  if (rows.length === 0) {
    throw new InvalidGrantError("The authorization was revoked or its instance no longer exists.", {
      reason: "grant_revoked",
    });
  }
}
