import { getLogger } from "../../logger";
import { JSON_RPC_ERROR } from "../../protocol/mcp-protocol";
import { getRedis } from "../../redis";
import { readBackendSession } from "../backend-session-store";
import { getBackendAuthHeaders } from "../get-backend-auth-headers";
import type { TJsonRpcResponse } from "../json-rpc-schemas";
import { backendsWithTools, type TMcpRequestContext } from "../mcp-request-context";
import { McpRequestError } from "../mcp-request-error";
import { postBackendAnswer } from "../post-backend-answer";
import { inputAnswersKey } from "../relay/stream-log-keys";
import { resolveBackendTarget } from "../resolve-backend-target";
import { INPUT_LIFETIME_MS } from "./input-lifetime";
import { fingerprintBackendSession, openRelayedRequestId } from "./relayed-request-id";

// A 2025 client's answer (a JSON-RPC response POSTed in its session) to a request Tumiki relayed to it
// for a backend. The id Tumiki gave that request says where the answer goes (relayed-request-id.ts),
// so whichever app process receives it delivers it: to the backend, in this session's backend
// session, under the backend's own id; or into the log a call collects its answers from. An id Tumiki
// did not mint for this user and session is refused (400) and reaches no backend.

const MAX_COLLECTED = 64;

export async function deliverClientAnswer({
  ctx,
  response,
}: {
  ctx: TMcpRequestContext;
  response: TJsonRpcResponse;
}): Promise<void> {
  if (ctx.client.era !== "legacy") return;
  const ref = openRelayedRequestId({
    userId: ctx.auth.userId,
    sessionKey: ctx.client.handle.key,
    id: response.id,
  });
  if (!ref) {
    throw new McpRequestError("BAD_REQUEST", {
      rpcCode: JSON_RPC_ERROR.invalidRequest,
      message: "Invalid Request: this response answers no request Tumiki sent in this session.",
    });
  }
  const outcome = "result" in response ? { result: response.result } : { error: response.error };

  if (ref.kind === "collect") {
    await getRedis().appendLog(
      inputAnswersKey(ctx.auth.userId, ref.continuation),
      JSON.stringify({ key: ref.key, ...outcome }),
      { maxLen: MAX_COLLECTED, ttlMs: INPUT_LIFETIME_MS },
    );
    return;
  }

  const backend = backendsWithTools(ctx).find((candidate) => candidate.mcpServerId === ref.serverId);
  if (!backend) return;
  const target = resolveBackendTarget({ userId: ctx.auth.userId, client: ctx.client, backend });
  const session = await readBackendSession({
    sessionKey: target.sessionKey,
    mcpServerId: backend.mcpServerId,
  });
  if (!session || fingerprintBackendSession(session.sessionId) !== ref.backendSession) {
    // The backend session ended since (expired, re-opened): the request this answers is gone with it,
    // and the new session may have given its id to another request.
    getLogger().debug({ server: backend.slug }, "an answer arrived for a backend session that has ended");
    return;
  }
  const authHeaders = await getBackendAuthHeaders({ userId: target.userId, backend });
  await postBackendAnswer({
    channel: { era: "legacy", target, session, authHeaders },
    answer: { jsonrpc: "2.0", id: ref.backendId, ...outcome },
  });
}
