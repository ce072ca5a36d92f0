import { getDb } from "../../db";
import { isScopeCovered } from "../scopes";

// Whether the user already approved this client for this instance with at least these scopes, so the
// authorization can be granted without asking again. A consent to `mcp:access:*` covers any single
// server of the instance, a consent to a server covers each of its tools (not the other way round); a
// revoked consent covers nothing.

type THasRememberedConsentOptions = {
  userId: string;
  /** AiClient.id. */
  clientId: string;
  instanceId: string;
  scopes: string[];
};

export async function hasRememberedConsent({
  userId,
  clientId,
  instanceId,
  scopes,
}: THasRememberedConsentOptions): Promise<boolean> {
  const consent = await getDb().consent.findUnique({
    where: { userId_clientId_instanceId: { userId, clientId, instanceId } },
    select: { scopes: true, revokedAt: true },
  });
  if (!consent || consent.revokedAt) return false;
  const granted = consent.scopes;
  return scopes.every((scope) => isScopeCovered(granted, scope));
}
