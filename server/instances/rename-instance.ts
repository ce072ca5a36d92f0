import { getDb } from "../db";
import type { McpInstance } from "../generated/prisma/client";
import { getInstanceOrThrow } from "./get-instance-or-throw";
import { type TRenameInstanceInput, ZRenameInstanceInput } from "./instance-schemas";

type TRenameInstanceOptions = TRenameInstanceInput & { userId: string };

export async function renameInstance({ userId, ...input }: TRenameInstanceOptions): Promise<McpInstance> {
  const { instanceId, name } = ZRenameInstanceInput.parse(input);
  // Filtered by owner in the write itself, so there is no window between a check and the update.
  const { count } = await getDb().mcpInstance.updateMany({
    where: { id: instanceId, userId },
    data: { name },
  });
  if (count === 0) await getInstanceOrThrow({ userId, instanceId });
  return getInstanceOrThrow({ userId, instanceId });
}
