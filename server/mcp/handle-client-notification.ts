import { getLogger } from "../logger";
import { readBackendSession } from "./backend-session-store";
import type { TJsonRpcNotification } from "./json-rpc-schemas";
import { backendsInScope, type TMcpRequestContext, toTarget } from "./mcp-request-context";
import { postToBackend } from "./post-to-backend";

// Notifications from the client. `notifications/cancelled` must reach the backend running that request;
// which one that is, no process remembers (sessions are stateless), so it goes to every backend session
// this Tumiki session has opened: the one running the request stops it, the others ignore an id they
// do not know (MCP: cancellation of an unknown request MAY be ignored). Client ids cannot collide with
// Tumiki's own requests, which use "tumiki-" ids. Other notifications (initialized, roots changes)
// concern Tumiki's side only: backend sessions had their own initialization.

export async function handleClientNotification({
  ctx,
  notification,
}: {
  ctx: TMcpRequestContext;
  notification: TJsonRpcNotification;
}): Promise<void> {
  if (notification.method !== "notifications/cancelled") return;
  await Promise.all(
    backendsInScope(ctx).map(async (backend) => {
      const target = toTarget(ctx, backend);
      try {
        const backendSession = await readBackendSession({
          sessionKey: target.sessionKey,
          mcpServerId: backend.mcpServerId,
        });
        if (!backendSession) return;
        const ack = await postToBackend({
          target,
          backendSession,
          message: notification,
          signal: ctx.signal,
        });
        await ack.body.cancel();
      } catch (error) {
        getLogger().debug({ err: error, server: backend.slug }, "relaying a cancellation failed");
      }
    }),
  );
}
