// What an MCP endpoint answered to one request, whether as a JSON body or as an SSE stream (the demo
// backend streams every answer; Tumiki answers JSON unless the backend streamed). Cheap enough to run
// on every response of a load run.

type TJsonRpcResponse = {
  id?: unknown;
  result?: { isError?: unknown };
  error?: { code?: unknown; message?: unknown };
};

const parse = (text: string): TJsonRpcResponse | undefined => {
  try {
    return JSON.parse(text) as TJsonRpcResponse;
  } catch {
    return undefined;
  }
};

/** The response message in the body (the last SSE event carrying a result or an error), if any. */
export function readJsonRpcResponse(body: string): TJsonRpcResponse | undefined {
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{")) return parse(trimmed);
  let found: TJsonRpcResponse | undefined;
  for (const line of body.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const message = parse(line.slice(5).trim());
    if (message && ("result" in message || "error" in message)) found = message;
  }
  return found;
}

/** Whether the body holds a successful tools/call result: no JSON-RPC error, no `isError: true`. */
export function isSuccessfulToolResult(body: string): boolean {
  const message = readJsonRpcResponse(body);
  return message?.result !== undefined && message.result.isError !== true && message.error === undefined;
}
