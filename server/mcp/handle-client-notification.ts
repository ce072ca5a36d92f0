import { getLogger } from "../logger";
import { readBackendSession } from "./backend-session-store";
import { publishSessionControl } from "./events/session-control";
import { frameForBackend } from "./frame-for-backend";
import type { TJsonRpcNotification } from "./json-rpc-schemas";
import { backendsWithTools, type TMcpRequestContext } from "./mcp-request-context";
import { postToBackend } from "./post-to-backend";
import { resolveBackendTarget } from "./resolve-backend-target";

// Notifications from a 2025 client (2026-07-28 defines none over HTTP: a client cancels by closing the
// stream). Which backend runs a request, no process remembers, so:
// - `notifications/cancelled` goes to every 2025 backend session of this Tumiki session (the one
//   running the request stops it; the others ignore an id they do not know: MCP lets them), and onto
//   the session's control log, where a call Tumiki relays to a 2026-07-28 backend (which has no
//   session to tell) sees it and closes its stream to the backend, in whichever process it runs;
// - `notifications/roots/list_changed` goes to every 2025 backend session, whose servers may then ask
//   the client for its roots again (through Tumiki).
// Client ids cannot collide with Tumiki's own requests, which use "tumiki-" ids.

const RELAYED = new Set(["notifications/cancelled", "notifications/roots/list_changed"]);

export async function handleClientNotification({
  ctx,
  notification,
}: {
  ctx: TMcpRequestContext;
  notification: TJsonRpcNotification;
}): Promise<void> {
  if (ctx.client.era !== "legacy" || !RELAYED.has(notification.method)) return;
  const { client } = ctx;
  const requestId = notification.params?.requestId;
  if (
    notification.method === "notifications/cancelled" &&
    (typeof requestId === "string" || typeof requestId === "number")
  ) {
    await publishSessionControl({ sessionKey: client.handle.key, control: { type: "cancelled", requestId } });
  }
  await Promise.all(
    backendsWithTools(ctx).map(async (backend) => {
      const target = resolveBackendTarget({ userId: ctx.auth.userId, client, backend });
      try {
        const session = await readBackendSession({
          sessionKey: target.sessionKey,
          mcpServerId: backend.mcpServerId,
        });
        if (!session) return;
        const { body, headers } = frameForBackend({ era: "legacy", target, session }, notification);
        const ack = await postToBackend({ target, mcpHeaders: headers, message: body, signal: ctx.signal });
        await ack.body.cancel();
      } catch (error) {
        getLogger().debug({ err: error, server: backend.slug }, "relaying a client notification failed");
      }
    }),
  );
}
