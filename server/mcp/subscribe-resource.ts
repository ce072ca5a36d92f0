import { assertServerScope } from "../auth/verify/assert-server-scope";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { publishSessionControl } from "./events/session-control";
import { MAX_SESSION_SUBSCRIPTIONS, recordSubscriptionStep } from "./events/session-subscriptions";
import { forwardRequest } from "./forward-request";
import { frameResultForClient } from "./frame-result-for-client";
import { jsonRpcResultResponse } from "./json-rpc-result-response";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { resolveBackendChannel } from "./resolve-backend-channel";
import { resolveReference } from "./route-by-reference";

// resources/subscribe and resources/unsubscribe of a 2025 client. The step is recorded with the session
// (session-subscriptions.ts) and the session's GET stream told, wherever it is held; a 2025 backend
// gets the request itself, in the session's backend session, and keeps the subscription there. A
// 2026-07-28 backend has no such method: the GET stream's process asks it for updates of the URI on a
// subscriptions/listen stream instead, and the client gets `{}` at once.

export async function subscribeResource({
  ctx,
  request,
  headers,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
  headers: Headers;
}): Promise<Response> {
  if (ctx.client.era !== "legacy") throw new Error("resources/subscribe is a 2025 method");
  const { resolved, params } = resolveReference(ctx, request);
  const { backend, name: uri } = resolved;
  assertServerScope({ auth: ctx.auth, serverSlug: backend.slug });
  const sessionKey = ctx.client.handle.key;
  const op = request.method === "resources/subscribe" ? "subscribe" : "unsubscribe";
  const recorded = await recordSubscriptionStep({
    sessionKey,
    step: { op, serverId: backend.mcpServerId, uri },
  });
  if (recorded === "over_limit") {
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidRequest,
      inProtocol: true,
      message: `Invalid Request: a session may subscribe to at most ${MAX_SESSION_SUBSCRIPTIONS} resources.`,
    });
  }
  await publishSessionControl({ sessionKey, control: { type: "subscriptions_changed" } });

  const channel = await resolveBackendChannel({
    userId: ctx.auth.userId,
    client: ctx.client,
    backend,
    signal: ctx.signal,
  });
  if (channel.era === "legacy") {
    return forwardRequest({ ctx, request, headers, backend, params, isToolCall: false });
  }
  return jsonRpcResultResponse({
    id: request.id,
    result: frameResultForClient({ client: ctx.client, method: request.method, result: {} }),
  });
}
