import type { TSafeFetchOptions } from "../net/safe-fetch";
import {
  LATEST_VERSION,
  MCP_METHOD_HEADER,
  MCP_PROTOCOL_VERSION_HEADER,
  META,
  MODERN_VERSION,
} from "../protocol/mcp-protocol";

// The two MCP requests Tumiki probes a server with, to learn how it wants to be authenticated
// (discovery) or whether it takes an API key: `server/discover` (2026-07-28, which every server of that
// revision answers) and `initialize` (2025-11-25 and earlier). A server that checks credentials checks
// them on either. probe-mcp-endpoint.ts sends them in that order.

const CLIENT_INFO = { name: "Tumiki", version: "1.0.0" };

const BODIES = {
  discover: JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "server/discover",
    params: {
      _meta: {
        [META.protocolVersion]: MODERN_VERSION,
        [META.clientCapabilities]: {},
        [META.clientInfo]: CLIENT_INFO,
      },
    },
  }),
  initialize: JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: LATEST_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
  }),
};

const ERA_HEADERS = {
  discover: { [MCP_PROTOCOL_VERSION_HEADER]: MODERN_VERSION, [MCP_METHOD_HEADER]: "server/discover" },
  initialize: { [MCP_PROTOCOL_VERSION_HEADER]: LATEST_VERSION },
};

/**
 * The safeFetch options of one probe of `url`; `headers` are added (e.g. an API key). Redirects are
 * refused: the URL entered must be the endpoint itself, and a key must not follow one.
 */
export function buildMcpProbeRequest({
  kind,
  url,
  headers,
  signal,
}: {
  kind: "discover" | "initialize";
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
      ...ERA_HEADERS[kind],
      ...headers,
    },
    body: BODIES[kind],
    maxBytes: 256 * 1024,
    timeoutMs: 10_000,
    maxRedirects: 0,
    signal,
  };
}
