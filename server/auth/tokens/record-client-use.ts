import { getDb } from "../../db";
import { getLogger } from "../../logger";

// AiClient.lastUsedAt for the dashboard's M2M list. A CIMD client's row is shared by every user of that
// client, so the write stays out of the issuing transactions (it would serialize them all on one row
// lock) and happens at most once a minute: the condition makes every other call a read that matches
// nothing. Called after the tokens are committed; a failure is logged, never turned into a refusal of
// tokens that already exist.

const LAST_USED_RESOLUTION_MS = 60_000;

export async function recordClientUse({ clientId, now = new Date() }: { clientId: string; now?: Date }) {
  try {
    await getDb().aiClient.updateMany({
      where: {
        id: clientId,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    });
  } catch (error) {
    getLogger().warn({ err: error }, "AI client lastUsedAt not recorded");
  }
}
