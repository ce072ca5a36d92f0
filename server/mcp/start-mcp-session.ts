import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { buildInitializeResult } from "./build-initialize-result";
import { createMcpSession } from "./create-mcp-session";
import { getInstanceBackends } from "./get-instance-backends";
import { isRecord } from "./is-record";
import { jsonRpcResultResponse } from "./json-rpc-result-response";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import {
  JSON_RPC_ERROR,
  LATEST_VERSION,
  MCP_SESSION_HEADER,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "./mcp-protocol";
import { McpRequestError } from "./mcp-request-error";

// `initialize`: a new Tumiki session, bound to the user and instance, answered with the merged
// capabilities and its id in Mcp-Session-Id. The version is the client's when Tumiki speaks it, else
// the newest (the client then decides whether it can continue), per the MCP lifecycle.

export async function startMcpSession({
  request,
  auth,
  instanceId,
  signal,
}: {
  request: TJsonRpcRequest;
  auth: TMcpAuthContext;
  instanceId: string;
  signal: AbortSignal;
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
  const protocolVersion = (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(requested)
    ? requested
    : LATEST_VERSION;
  const capabilities = isRecord(params.capabilities) ? params.capabilities : {};
  const elicitation = capabilities.elicitation;
  const supportsUrlElicitation = isRecord(elicitation) && isRecord(elicitation.url);

  const backends = await getInstanceBackends({ instanceId, userId: auth.userId });
  const { sessionId, handle } = await createMcpSession({
    userId: auth.userId,
    instanceId,
    protocolVersion,
    supportsUrlElicitation,
  });
  const result = await buildInitializeResult({
    ctx: { auth, instanceId, handle, backends, signal },
    protocolVersion,
  });
  return jsonRpcResultResponse({ id: request.id, result, headers: { [MCP_SESSION_HEADER]: sessionId } });
}
