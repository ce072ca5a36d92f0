import { waitUntil } from "@/server/http/wait-until";
import { answerCorsPreflight } from "@/server/mcp/answer-cors-preflight";
import { endMcpSession } from "@/server/mcp/end-mcp-session";
import { handleMcpGet } from "@/server/mcp/handle-mcp-get";
import { handleMcpPost } from "@/server/mcp/handle-mcp-post";
import { withMcpAuth } from "@/server/mcp/with-mcp-auth";
import { withRouteMetrics } from "@/server/observability/with-route-metrics";

// The MCP endpoint of one instance (Streamable HTTP, MCP 2026-07-28 and 2025-11-25 and earlier on one
// URL). withMcpAuth checks the Origin, authenticates, rate limits and maps errors; server/mcp/ does the
// rest. Node runtime: backend calls use node:http (the SSRF-guarded resolver). maxDuration bounds a
// streamed tool call and a long-lived stream on Vercel; the proxy ends them shortly before it.

export const runtime = "nodejs";
export const maxDuration = 300;
export const dynamic = "force-dynamic";

export const POST = withRouteMetrics(
  "mcp",
  withMcpAuth((args) => handleMcpPost({ ...args, waitUntil })),
);
export const GET = withRouteMetrics(
  "mcp",
  withMcpAuth((args) => handleMcpGet({ ...args, waitUntil })),
);
export const DELETE = withRouteMetrics("mcp", withMcpAuth(endMcpSession));

/** The CORS preflight of browser-based clients on an allowed origin (MCP_ALLOWED_ORIGINS). */
export const OPTIONS = withRouteMetrics("mcp", async (request: Request) => answerCorsPreflight(request));
