import type { TBackendChannel } from "../backend-channel";
import type { TJsonRpcRequest } from "../json-rpc-schemas";
import type { TRelayedCall } from "../relay/relayed-call";
import { fingerprintBackendSession, mintRelayedRequestId } from "./relayed-request-id";

// A 2025 backend's request to the client (elicitation, sampling, roots), sent by the backend in the
// stream of a call, relayed to a 2025 client on that same stream. Its id is Tumiki's own, sealed with
// where the answer goes (relayed-request-id.ts): the client's answer may reach any app process, which
// posts it to the backend under the backend's original id. The backend declared to be the client's
// capabilities at `initialize`, so it only asks for what the client can do.

export async function relayBackendRequest({
  call,
  channel,
  request,
}: {
  call: TRelayedCall;
  /** The backend session the request came in, which alone can take its answer. */
  channel: Extract<TBackendChannel, { era: "legacy" }>;
  request: TJsonRpcRequest;
}): Promise<void> {
  const { ctx, backend } = call;
  if (ctx.client.era !== "legacy") throw new Error("relayBackendRequest serves 2025 clients only");
  const id = mintRelayedRequestId({
    userId: ctx.auth.userId,
    sessionKey: ctx.client.handle.key,
    ref: {
      kind: "relay",
      serverId: backend.mcpServerId,
      backendSession: fingerprintBackendSession(channel.session.sessionId),
      backendId: request.id,
    },
  });
  await call.reply.send({ jsonrpc: "2.0", id, method: request.method, params: request.params });
}
