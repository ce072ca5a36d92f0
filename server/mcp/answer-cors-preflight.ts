import { MCP_PROTOCOL_VERSION_HEADER, MCP_SESSION_HEADER } from "../protocol/mcp-protocol";
import { addCorsHeaders } from "./add-cors-headers";
import { assertAllowedOrigin } from "./assert-allowed-origin";
import { McpRequestError } from "./mcp-request-error";

// The CORS preflight of a browser-based MCP client: allowed origins may POST and DELETE with the
// headers MCP uses; any other origin gets the same 403 as its real request would.

const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  MCP_SESSION_HEADER,
  MCP_PROTOCOL_VERSION_HEADER,
  "last-event-id",
].join(", ");

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
      "Access-Control-Allow-Methods": "POST, DELETE",
      "Access-Control-Allow-Headers": ALLOWED_HEADERS,
      "Access-Control-Max-Age": "600",
    },
  });
  return addCorsHeaders({ response, origin: request.headers.get("origin") });
}
