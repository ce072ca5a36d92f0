// A raw JSON-RPC `initialize` POST, for tests that need to see exactly what an MCP endpoint answers (a
// 401 challenge, a 404 for an unknown session, whether a token is accepted). No test-runner imports, so
// Vitest tests, the demo backend's tests and Playwright specs share it.

export type TPostMcpInitializeOptions = {
  url: string;
  /** Sent as a Bearer token when given. */
  accessToken?: string;
  sessionId?: string;
  fetchFn?: typeof fetch;
};

export function postMcpInitialize({
  url,
  accessToken,
  sessionId,
  fetchFn = fetch,
}: TPostMcpInitializeOptions): Promise<Response> {
  return fetchFn(url, {
    method: "POST",
    headers: {
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      ...(sessionId ? { "mcp-session-id": sessionId } : {}),
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "test", version: "1" } },
    }),
  });
}
