import { getDb } from "../db";
import { getInstanceOrThrow } from "../instances/get-instance-or-throw";
import { announceToolsChanged } from "./announce-tools-changed";
import { type TSetInstanceToolOptionsInput, ZSetInstanceToolOptionsInput } from "./tool-control-schemas";

type TSetInstanceToolOptionsOptions = TSetInstanceToolOptionsInput & { userId: string };

/**
 * The instance-wide tool options; only the options given change (an option left out keeps its value,
 * whatever the caller last read of it). Turning pinning off keeps the changes already recorded (they
 * just no longer hold their tools); the next list of each server pins what it serves
 * (evaluate-tool-sightings.ts).
 */
export async function setInstanceToolOptions({
  userId,
  ...input
}: TSetInstanceToolOptionsOptions): Promise<void> {
  const { instanceId, pinToolDefinitions, confirmDestructiveTools } =
    ZSetInstanceToolOptionsInput.parse(input);
  const before = await getInstanceOrThrow({ userId, instanceId });
  const given = {
    ...(pinToolDefinitions !== undefined ? { pinToolDefinitions } : {}),
    ...(confirmDestructiveTools !== undefined ? { confirmDestructiveTools } : {}),
  };
  // Filtered by owner in the write itself, like rename-instance.ts.
  await getDb().mcpInstance.updateMany({ where: { id: instanceId, userId }, data: given });
  const changed = {
    ...(given.pinToolDefinitions !== undefined && before.pinToolDefinitions !== given.pinToolDefinitions
      ? { pinToolDefinitions: given.pinToolDefinitions }
      : {}),
    ...(given.confirmDestructiveTools !== undefined &&
    before.confirmDestructiveTools !== given.confirmDestructiveTools
      ? { confirmDestructiveTools: given.confirmDestructiveTools }
      : {}),
  };
  if (Object.keys(changed).length === 0) return;
  await announceToolsChanged({ userId, instanceId, detail: changed });
}
