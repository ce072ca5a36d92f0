import { getDb } from "../../db";

// Whether the user has a standing (not revoked) consent for the client on any of their instances: the
// sign that the client's redirect URI is one the user trusts, so an error may be sent there at once.

type THasClientConsentOptions = {
  userId: string;
  /** AiClient.id. */
  clientId: string;
};

export async function hasClientConsent({ userId, clientId }: THasClientConsentOptions): Promise<boolean> {
  const consent = await getDb().consent.findFirst({
    where: { userId, clientId, revokedAt: null },
    select: { id: true },
  });
  return consent !== null;
}
