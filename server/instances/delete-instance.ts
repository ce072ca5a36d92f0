import { getDb } from "../db";
import { getInstanceOrThrow } from "./get-instance-or-throw";

/**
 * Deletes the user's instance. Its API keys, consents, refresh-token families (and the access tokens
 * issued from them), authorization codes and machine-to-machine clients go with it (cascades), so
 * nothing keeps working against a URL that no longer exists.
 */
export async function deleteInstance({
  userId,
  instanceId,
}: {
  userId: string;
  instanceId: string;
}): Promise<void> {
  const { count } = await getDb().mcpInstance.deleteMany({ where: { id: instanceId, userId } });
  // Nothing deleted: not the user's instance, which getInstanceOrThrow reports as NOT_FOUND.
  if (count === 0) await getInstanceOrThrow({ userId, instanceId });
}
