import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";

// The one lookup of an AI client by its OAuth `client_id`, used by /oauth/authorize, /oauth/token and
// /oauth/revoke. A registered (DYNAMIC or M2M) client is a row; a CIMD client_id (an https URL) is
// resolved from its metadata document, fetched and cached (see resolve-cimd-client.ts). A disabled
// client is treated as unknown.

export async function resolveAiClient({ clientId }: { clientId: string }): Promise<AiClient | null> {
  const client = await getDb().aiClient.findUnique({ where: { clientId } });
  if (!client || client.disabledAt) return null;
  return client;
}
