// A JSON-RPC 2.0 error as an HTTP response of the MCP endpoint: the one builder for the route and its
// auth wrapper. Never cached: every answer of /mcp/{instanceId} is for one caller.

export type TJsonRpcId = string | number | null;

export function jsonRpcErrorResponse({
  id = null,
  code,
  message,
  data,
  status = 200,
  headers = {},
}: {
  id?: TJsonRpcId;
  code: number;
  message: string;
  data?: unknown;
  status?: number;
  headers?: Record<string, string>;
}): Response {
  return Response.json(
    { jsonrpc: "2.0", id, error: { code, message, ...(data === undefined ? {} : { data }) } },
    { status, headers: { "Cache-Control": "no-store", ...headers } },
  );
}
