import {
  LAST_EVENT_ID_HEADER,
  MCP_METHOD_HEADER,
  MCP_NAME_HEADER,
  MCP_PARAM_HEADER_PREFIX,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
} from "../protocol/mcp-protocol";
import { addCorsHeaders } from "./add-cors-headers";
import { assertAllowedOrigin } from "./assert-allowed-origin";
import { McpRequestError } from "./mcp-request-error";

// The CORS preflight of a browser-based MCP client: allowed origins may POST, GET and DELETE with the
// headers MCP uses in either era (2026-07-28's Mcp-Method, Mcp-Name and a tool's own Mcp-Param-*
// headers, whose names only the tool knows: those the browser asks for are allowed by their prefix);
// any other origin gets the same 403 as its real request would.

const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  MCP_SESSION_HEADER,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_METHOD_HEADER,
  MCP_NAME_HEADER,
  LAST_EVENT_ID_HEADER,
];

/** The headers to allow: MCP's own, and the Mcp-Param-* headers this preflight asks for. */
function allowedHeaders(request: Request): string {
  const asked = (request.headers.get("access-control-request-headers") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => /^mcp-param-[a-z0-9-]{1,64}$/.test(name) && name.startsWith(MCP_PARAM_HEADER_PREFIX));
  return [...ALLOWED_HEADERS, ...new Set(asked)].join(", ");
}

export function answerCorsPreflight(request: Request): Response {
  try {
    assertAllowedOrigin(request.headers);
  } catch (error) {
    if (error instanceof McpRequestError) return new Response(null, { status: 403 });
    throw error;
  }
  const response = new Response(null, {
    status: 204,
    headers: {
      "Access-Control-Allow-Methods": "POST, GET, DELETE",
      "Access-Control-Allow-Headers": allowedHeaders(request),
      "Access-Control-Max-Age": "600",
    },
  });
  return addCorsHeaders({ response, origin: request.headers.get("origin") });
}
