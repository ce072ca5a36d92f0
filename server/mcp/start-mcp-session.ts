import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import {
  isLegacyVersion,
  JSON_RPC_ERROR,
  LATEST_VERSION,
  MCP_SESSION_HEADER,
} from "../protocol/mcp-protocol";
import { buildInitializeResult } from "./build-initialize-result";
import { pickRelayedCapabilities } from "./client-capabilities";
import { createMcpSession } from "./create-mcp-session";
import type { TInstanceBackend } from "./get-instance-backends";
import { jsonRpcResultResponse } from "./json-rpc-result-response";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";

// `initialize` (2025-11-25 and earlier): a new Tumiki session, bound to the user and instance, answered
// with the merged capabilities and its id in Mcp-Session-Id. The version is the client's when Tumiki
// speaks it, else the newest legacy one (the client then decides whether it can continue), per the
// 2025 lifecycle. The client's elicitation, sampling and roots capabilities are kept with the session:
// Tumiki declares them to backends on its behalf.

export async function startMcpSession({
  request,
  auth,
  instanceId,
  backends,
  signal,
  waitUntil,
  recheckAuth,
}: {
  request: TJsonRpcRequest;
  auth: TMcpAuthContext;
  instanceId: string;
  backends: TInstanceBackend[];
  signal: AbortSignal;
  waitUntil: TMcpRequestContext["waitUntil"];
  recheckAuth: TMcpRequestContext["recheckAuth"];
}): Promise<Response> {
  const params = request.params ?? {};
  if (typeof params.protocolVersion !== "string") {
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidParams,
      message: "Invalid params: initialize needs a protocolVersion.",
      inProtocol: true,
    });
  }
  const requested = params.protocolVersion;
  const protocolVersion = isLegacyVersion(requested) ? requested : LATEST_VERSION;
  const clientCapabilities = pickRelayedCapabilities(params.capabilities);
  const { sessionId, handle } = await createMcpSession({
    userId: auth.userId,
    instanceId,
    protocolVersion,
    clientCapabilities,
    logLevel: null,
  });
  const ctx: TMcpRequestContext = {
    auth,
    instanceId,
    client: { era: "legacy", handle, capabilities: clientCapabilities, logLevel: null },
    backends,
    signal,
    waitUntil,
    recheckAuth,
  };
  const result = await buildInitializeResult({ ctx, protocolVersion });
  return jsonRpcResultResponse({ id: request.id, result, headers: { [MCP_SESSION_HEADER]: sessionId } });
}
