import { withMcpAuth } from "@/server/auth/verify/with-mcp-auth";
import { answerCorsPreflight } from "@/server/mcp/answer-cors-preflight";
import { endMcpSession } from "@/server/mcp/end-mcp-session";
import { handleMcpPost } from "@/server/mcp/handle-mcp-post";
import { jsonRpcErrorResponse } from "@/server/mcp/json-rpc-error-response";
import { JSON_RPC_ERROR } from "@/server/mcp/mcp-protocol";

// The MCP endpoint of one instance (Streamable HTTP, MCP 2025-11-25). withMcpAuth checks the Origin,
// authenticates, rate limits and maps errors; server/mcp/ does the rest. Node runtime: backend calls
// use node:http (the SSRF-guarded resolver). maxDuration bounds a streamed tool call on Vercel; the
// proxy answers shortly before it (forward-request.ts).

export const runtime = "nodejs";
export const maxDuration = 300;
export const dynamic = "force-dynamic";

export const POST = withMcpAuth(handleMcpPost);
export const DELETE = withMcpAuth(endMcpSession);

// No standing server-to-client stream: every message to a client travels on the stream of the request
// it belongs to, which keeps sessions stateless (MCP: a server without one answers GET with 405).
export const GET = async () =>
  jsonRpcErrorResponse({
    code: JSON_RPC_ERROR.transportError,
    message: "Method Not Allowed: this endpoint offers no GET stream; use POST.",
    status: 405,
    headers: { Allow: "POST, DELETE" },
  });

/** The CORS preflight of browser-based clients on an allowed origin (MCP_ALLOWED_ORIGINS). */
export const OPTIONS = async (request: Request) => answerCorsPreflight(request);
