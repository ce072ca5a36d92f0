import { getDb } from "../db";
import type { McpInstance } from "../generated/prisma/client";
import { getInstanceOrThrow } from "./get-instance-or-throw";
import { type TRenameInstanceInput, ZRenameInstanceInput } from "./instance-schemas";

type TRenameInstanceOptions = TRenameInstanceInput & { userId: string };

export async function renameInstance({ userId, ...input }: TRenameInstanceOptions): Promise<McpInstance> {
  const { instanceId, name } = ZRenameInstanceInput.parse(input);
  // Filtered by owner in the write itself, so there is no window between a check and the update.
  await getDb().mcpInstance.updateMany({
    where: { id: instanceId, userId },
    data: { name },
  });
  // With zero rows updated this read finds nothing either and throws the usual NOT_FOUND.
  return getInstanceOrThrow({ userId, instanceId });
}
