import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { getLogger } from "../logger";
import { requestOutboundStream } from "../net/request-outbound-stream";
import { getRedis } from "../redis";
import { forgetBackendSessions, readBackendSession } from "./backend-session-store";
import { getBackendAuthHeaders } from "./get-backend-auth-headers";
import { getInstanceBackends } from "./get-instance-backends";
import { getMcpSessionOrThrow } from "./get-mcp-session-or-throw";
import { JSON_RPC_ERROR, MCP_SESSION_HEADER } from "./mcp-protocol";
import { McpRequestError } from "./mcp-request-error";
import { mcpSessionKey } from "./mcp-session-schemas";
import { withSessionStore } from "./with-session-store";

// DELETE /mcp/{instanceId}: the client ends its session. Tumiki forgets it first (so it is over even
// if a backend hangs), then ends the backend sessions it opened for it, politely and best effort:
// a backend that does not answer in a few seconds keeps its session until its own expiry.

const BACKEND_DELETE_TIMEOUT_MS = 5_000;

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
    throw new McpRequestError("BAD_REQUEST", {
      rpcCode: JSON_RPC_ERROR.transportError,
      message: "Bad Request: the Mcp-Session-Id header names the session to end.",
    });
  }
  const { key } = await getMcpSessionOrThrow({ sessionId, userId: auth.userId, instanceId });
  const backends = await getInstanceBackends({ instanceId, userId: auth.userId });
  const backendSessions = await Promise.all(
    backends.map(async (backend) => ({
      backend,
      backendSession: await readBackendSession({ sessionKey: key, mcpServerId: backend.mcpServerId }),
    })),
  );
  await withSessionStore(() => getRedis().del(mcpSessionKey(key)));
  await forgetBackendSessions({ sessionKey: key, mcpServerIds: backends.map((b) => b.mcpServerId) });

  await Promise.all(
    backendSessions.map(async ({ backend, backendSession }) => {
      if (!backendSession?.sessionId) return;
      try {
        const reply = await requestOutboundStream({
          url: backend.url,
          method: "DELETE",
          headers: {
            ...(await getBackendAuthHeaders({ userId: auth.userId, backend })),
            [MCP_SESSION_HEADER]: backendSession.sessionId,
          },
          headersTimeoutMs: BACKEND_DELETE_TIMEOUT_MS,
          maxBytes: 64 * 1024,
        });
        await reply.body.cancel();
      } catch (error) {
        getLogger().debug({ err: error, server: backend.slug }, "ending a backend session failed");
      }
    }),
  );
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
}
