import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import { isRegisteredRedirectUri } from "../clients/match-redirect-uri";
import type { TConsentRequestClaims } from "./authorization-request-schema";

/**
 * The client a signed consent request names, or null when it can no longer take part: removed or
 * disabled since, machine-to-machine, or no longer registering the request's redirect URI. The consent
 * page and the decision check the same things, because minutes may pass between signing and answering.
 */
export async function findConsentClient({
  claims,
}: {
  claims: TConsentRequestClaims;
}): Promise<AiClient | null> {
  const client = await getDb().aiClient.findUnique({ where: { id: claims.clientId } });
  if (!client || client.disabledAt || client.kind === "M2M") return null;
  if (!isRegisteredRedirectUri({ registered: client.redirectUris, requested: claims.redirectUri }))
    return null;
  return client;
}
