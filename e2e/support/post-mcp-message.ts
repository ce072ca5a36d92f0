// One raw JSON-RPC message POSTed to an MCP endpoint, for what an SDK client hides: the HTTP status, the
// headers, and the whole JSON-RPC error (the SDK keeps only `elicitations` of a -32042's data). The
// answer is read whether it came as JSON or as an SSE stream (Streamable HTTP allows both).

export type TJsonRpcMessage = {
  jsonrpc: "2.0";
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: Record<string, unknown> };
};

export type TMcpPostAnswer = { status: number; headers: Headers; messages: TJsonRpcMessage[] };

export function parseSseMessages(text: string): TJsonRpcMessage[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n"),
    )
    .filter((data) => data !== "")
    .map((data) => JSON.parse(data) as TJsonRpcMessage);
}

export async function postMcpMessage({
  url,
  bearer,
  sessionId,
  message,
  fetchFn = fetch,
}: {
  url: string;
  /** A Tumiki access token or API key. */
  bearer: string;
  sessionId?: string;
  message: TJsonRpcMessage;
  fetchFn?: typeof fetch;
}): Promise<TMcpPostAnswer> {
  const response = await fetchFn(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(sessionId ? { "mcp-session-id": sessionId } : {}),
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify(message),
  });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  let messages: TJsonRpcMessage[] = [];
  if (contentType.startsWith("text/event-stream")) messages = parseSseMessages(text);
  else if (contentType.startsWith("application/json") && text)
    messages = [JSON.parse(text) as TJsonRpcMessage];
  return { status: response.status, headers: response.headers, messages };
}
