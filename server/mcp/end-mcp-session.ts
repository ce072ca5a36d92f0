import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { JSON_RPC_ERROR, MCP_SESSION_HEADER } from "../protocol/mcp-protocol";
import { getRedis } from "../redis";
import { readBackendSession } from "./backend-session-store";
import { endBackendSession } from "./end-backend-session";
import { publishSessionControl } from "./events/session-control";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import { getInstanceBackends } from "./get-instance-backends";
import { getMcpSessionOrThrow } from "./get-mcp-session-or-throw";
import { McpRequestError } from "./mcp-request-error";
import { mcpSessionKey } from "./mcp-session-schemas";
import { resolveBackendTarget } from "./resolve-backend-target";
import { withSessionStore } from "./with-session-store";

// DELETE /mcp/{instanceId} (2025): the client ends its session. Tumiki forgets it first (so it is over
// even if a backend hangs; the session's GET stream, wherever it is held, is told to end),
// then ends the backend sessions it opened for it (end-backend-session.ts). 2026-07-28 has no sessions:
// a DELETE without Mcp-Session-Id is answered 405 by the route.

export async function endMcpSession({
  request,
  auth,
  instanceId,
}: {
  request: Request;
  auth: TMcpAuthContext;
  instanceId: string;
}): Promise<Response> {
  const sessionId = request.headers.get(MCP_SESSION_HEADER);
  if (sessionId === null) {
    throw new McpRequestError("METHOD_NOT_ALLOWED", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message: "Method Not Allowed: DELETE ends a 2025 session and needs its Mcp-Session-Id.",
      headers: { Allow: "POST, GET, DELETE" },
    });
  }
  const handle = await getMcpSessionOrThrow({ sessionId, userId: auth.userId, instanceId });
  const backends = await getInstanceBackends({ instanceId, userId: auth.userId });
  const client = {
    era: "legacy" as const,
    handle,
    capabilities: handle.session.clientCapabilities,
    logLevel: handle.session.logLevel,
  };
  const channels = await Promise.all(
    backends.map(async (backend) => {
      const target = resolveBackendTarget({ userId: auth.userId, client, backend });
      const session = await readBackendSession({
        sessionKey: target.sessionKey,
        mcpServerId: backend.mcpServerId,
      });
      return session ? { target, session } : null;
    }),
  );
  await withSessionStore(() => getRedis().del(mcpSessionKey(handle.key)));
  await publishSessionControl({ sessionKey: handle.key, control: { type: "session_ended" } });
  await Promise.all(
    channels.map(async (entry) => {
      if (!entry) return;
      const authHeaders = await getBackendAuthHeaders({
        userId: auth.userId,
        backend: entry.target.backend,
      }).catch(() => ({}));
      await endBackendSession({ channel: { era: "legacy", ...entry, authHeaders } });
    }),
  );
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
}
