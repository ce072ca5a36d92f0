import type { TCallOutcome } from "./build-failure-answer";
import type { TJsonRpcResponse } from "./json-rpc-schemas";

/**
 * How a backend's answer ends a call, for the audit trail and the trace: a JSON-RPC error or a tool
 * error fails it.
 */
export function outcomeOfResponse(response: TJsonRpcResponse): TCallOutcome {
  if ("error" in response) {
    return { outcome: "FAILURE", reason: "json_rpc_error", rpcCode: response.error.code };
  }
  return response.result.isError === true
    ? { outcome: "FAILURE", reason: "tool_error" }
    : { outcome: "SUCCESS" };
}
