import type { TInstanceEvent } from "../../instance-events/instance-events";
import { publishInstanceEvent } from "../../instance-events/instance-events";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TJsonRpcNotification } from "../json-rpc-schemas";
import type { TMcpRequestContext } from "../mcp-request-context";

// A backend's change notification that arrived in the stream of some call, passed on to every stream
// that serves the instance (a 2026-07-28 client may only receive it on its subscriptions/listen stream,
// which another app process may hold). Not awaited: the call goes on.

const LISTS: Record<string, "tools" | "prompts" | "resources"> = {
  "notifications/tools/list_changed": "tools",
  "notifications/prompts/list_changed": "prompts",
  "notifications/resources/list_changed": "resources",
};

export function publishBackendChange({
  ctx,
  backend,
  notification,
}: {
  ctx: Pick<TMcpRequestContext, "instanceId">;
  backend: TInstanceBackend;
  notification: TJsonRpcNotification;
}): void {
  const list = LISTS[notification.method];
  const uri = notification.params?.uri;
  const event: TInstanceEvent | null = list
    ? { type: "list_changed", list, serverId: backend.mcpServerId }
    : notification.method === "notifications/resources/updated" && typeof uri === "string"
      ? { type: "resource_updated", serverId: backend.mcpServerId, uri }
      : null;
  if (event) void publishInstanceEvent({ instanceId: ctx.instanceId, event: event });
}
