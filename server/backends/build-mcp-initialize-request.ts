import type { TSafeFetchOptions } from "../net/safe-fetch";

// The MCP `initialize` (Streamable HTTP) Tumiki sends to learn how a server wants to be authenticated
// (discovery) or whether it takes an API key. Every MCP server answers it, and a server that checks
// credentials checks them here.

const MCP_PROTOCOL_VERSION = "2025-11-25";

const INITIALIZE_BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: MCP_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: "Tumiki", version: "1.0.0" },
  },
});

/**
 * The safeFetch options of one `initialize` probe of `url`; `headers` are added (e.g. an API key).
 * Redirects are refused: the URL entered must be the endpoint itself, and a key must not follow one.
 */
export function buildMcpInitializeRequest({
  url,
  headers,
  signal,
}: {
  url: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}): TSafeFetchOptions {
  return {
    url,
    method: "POST",
    headers: {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-protocol-version": MCP_PROTOCOL_VERSION,
      ...headers,
    },
    body: INITIALIZE_BODY,
    maxBytes: 256 * 1024,
    timeoutMs: 10_000,
    maxRedirects: 0,
    signal,
  };
}
