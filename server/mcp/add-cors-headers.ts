import { MCP_PROTOCOL_VERSION_HEADER, MCP_SESSION_HEADER } from "../protocol/mcp-protocol";

// Browser-based MCP clients (an inspector on an allowed origin, MCP_ALLOWED_ORIGINS) read answers
// only with CORS: the allowed origin is echoed (never `*`: the endpoint takes credentials), and the
// headers a client must read are exposed. assertAllowedOrigin has refused every other origin before.

const EXPOSED = [MCP_SESSION_HEADER, MCP_PROTOCOL_VERSION_HEADER, "www-authenticate", "retry-after"].join(
  ", ",
);

export function addCorsHeaders({
  response,
  origin,
}: {
  response: Response;
  origin: string | null;
}): Response {
  if (origin === null) return response;
  response.headers.set("Access-Control-Allow-Origin", origin);
  response.headers.set("Access-Control-Expose-Headers", EXPOSED);
  response.headers.append("Vary", "Origin");
  return response;
}
