import { getDb } from "../db";
import { AppError } from "../errors";
import type { McpInstance } from "../generated/prisma/client";

/**
 * The user's instance, or NOT_FOUND. Another user's instance is NOT_FOUND too, never FORBIDDEN: its
 * existence is not the caller's business.
 */
export async function getInstanceOrThrow({
  userId,
  instanceId,
}: {
  userId: string;
  instanceId: string;
}): Promise<McpInstance> {
  const instance = await getDb().mcpInstance.findFirst({ where: { id: instanceId, userId } });
  if (!instance) {
    throw new AppError("NOT_FOUND", {
      message: `instance ${instanceId} not found for user ${userId}`,
      userMessage: "This instance does not exist.",
    });
  }
  return instance;
}
