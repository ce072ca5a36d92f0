import { getDb } from "../../db";
import type { AiClient } from "../../generated/prisma/client";
import { isCimdClientId } from "./is-cimd-client-id";
import { resolveCimdClient, type TResolveCimdClientOptions } from "./resolve-cimd-client";

// The one lookup of an AI client by its OAuth `client_id`, used by /oauth/authorize, /oauth/token and
// /oauth/revoke. A registered (DYNAMIC or M2M) client is a row; a CIMD client_id (an https URL) is
// resolved from its metadata document, fetched and cached (see resolve-cimd-client.ts). A disabled
// client is treated as unknown. A CIMD client_id whose document cannot be used throws
// InvalidClientError with a description that names the problem, for the caller to show.
//
// Only /oauth/authorize passes `mayRegister` (for a signed-in user): it is where a new CIMD client first
// shows up. Elsewhere a CIMD client_id Tumiki has not stored is simply unknown, so the token and
// revocation endpoints never make Tumiki fetch a URL a stranger chose.

export async function resolveAiClient(options: TResolveCimdClientOptions): Promise<AiClient | null> {
  if (isCimdClientId({ clientId: options.clientId })) return resolveCimdClient(options);
  const client = await getDb().aiClient.findUnique({ where: { clientId: options.clientId } });
  if (!client || client.disabledAt) return null;
  return client;
}
