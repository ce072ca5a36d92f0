import { getDb } from "../db";
import { AppError } from "../errors";

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
  if (count === 0) {
    throw new AppError("NOT_FOUND", {
      message: `instance ${instanceId} not found for user ${userId}`,
      userMessage: "This instance does not exist.",
    });
  }
}
