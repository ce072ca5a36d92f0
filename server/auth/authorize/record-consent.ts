import { type Db, getDb } from "../../db";

// A user's approval of a client for one instance, remembered so the same request does not ask again.
// Scopes accumulate while the consent stands; a revoked consent starts over with what was just approved.

type TRecordConsentOptions = {
  db?: Pick<Db, "consent">;
  userId: string;
  /** AiClient.id. */
  clientId: string;
  instanceId: string;
  scopes: string[];
};

export async function recordConsent({
  db = getDb(),
  userId,
  clientId,
  instanceId,
  scopes,
}: TRecordConsentOptions): Promise<void> {
  const where = { userId_clientId_instanceId: { userId, clientId, instanceId } };
  const existing = await db.consent.findUnique({ where, select: { scopes: true, revokedAt: true } });
  const kept = existing && !existing.revokedAt ? existing.scopes : [];
  const merged = [...new Set([...kept, ...scopes])];
  await db.consent.upsert({
    where,
    create: { userId, clientId, instanceId, scopes: merged },
    update: { scopes: merged, revokedAt: null },
  });
}
