import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import { resolveCimdClient } from "./resolve-cimd-client";

// The one lookup of an AI client by its OAuth `client_id`, used by /oauth/authorize, /oauth/token and
// /oauth/revoke. A registered (DYNAMIC or M2M) client is a row; a CIMD client_id (an https URL) is
// resolved from its metadata document, fetched and cached (see resolve-cimd-client.ts). A disabled
// client is treated as unknown. A CIMD client_id whose document cannot be used throws
// InvalidClientError with a description that names the problem, for the caller to show.

// Registered client_ids are base64url and never contain a colon, so a URL cannot shadow one.
const CIMD_CLIENT_ID = /^https?:\/\//i;

export async function resolveAiClient({ clientId }: { clientId: string }): Promise<AiClient | null> {
  if (CIMD_CLIENT_ID.test(clientId)) return resolveCimdClient({ clientId });
  const client = await getDb().aiClient.findUnique({ where: { clientId } });
  if (!client || client.disabledAt) return null;
  return client;
}
