import { writeAuditEvent } from "../audit/write-audit-event";
import { publishInstanceChanged } from "../instance-events/publish-instance-changed";

/**
 * After the owner changed which tools an instance exposes, or how: the change is audited, and every
 * client connected to the instance is told its lists may have changed, so it lists again.
 */
export async function announceToolsChanged({
  userId,
  instanceId,
  mcpServerId,
  eventType = "instance.tools_changed",
  detail,
}: {
  userId: string;
  instanceId: string;
  mcpServerId?: string;
  eventType?: "instance.tools_changed" | "instance.tool_approved";
  detail: Record<string, unknown>;
}): Promise<void> {
  writeAuditEvent({
    eventType,
    outcome: "SUCCESS",
    actorUserId: userId,
    instanceId,
    ...(mcpServerId ? { mcpServerId } : {}),
    detail,
  });
  await publishInstanceChanged([instanceId]);
}
