import { getDb } from "../../db";
import { InvalidTokenError } from "../oauth-errors";

// Every credential names a user; the instance it is presented to must exist and still be that user's.
// Checked on each request (a primary-key read), so a deleted instance stops answering at once even
// while an API key's cache entry lives on.

export async function assertInstanceOwner(options: { instanceId: string; userId: string }): Promise<void> {
  const instance = await getDb().mcpInstance.findUnique({
    where: { id: options.instanceId },
    select: { userId: true },
  });
  // One description for both: a token holder learns nothing about other users' instances.
  if (!instance || instance.userId !== options.userId) {
    throw new InvalidTokenError("The credential is not valid for this MCP instance.", {
      reason: instance ? "instance_not_owned" : "instance_not_found",
    });
  }
}
