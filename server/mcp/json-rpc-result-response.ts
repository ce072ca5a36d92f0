import type { TRequestId } from "./json-rpc-schemas";

/** A JSON-RPC result as an HTTP response of the MCP endpoint; never cached (it is for one caller). */
export function jsonRpcResultResponse({
  id,
  result,
  headers = {},
}: {
  id: TRequestId;
  result: Record<string, unknown>;
  headers?: Record<string, string>;
}): Response {
  return Response.json(
    { jsonrpc: "2.0", id, result },
    { headers: { "Cache-Control": "no-store", ...headers } },
  );
}
