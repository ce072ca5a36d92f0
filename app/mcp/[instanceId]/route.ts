import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import packageJson from "@/package.json";
import { withMcpAuth } from "@/server/auth/verify/with-mcp-auth";
import { readLimitedBody } from "@/server/http/read-limited-body";
import { jsonRpcErrorResponse, type TJsonRpcId } from "@/server/mcp/json-rpc-error-response";

// The MCP endpoint of one instance (Streamable HTTP, POST only). withMcpAuth authenticates and rate
// limits; what follows is an interim JSON-RPC answerer (initialize, ping, an empty tools/list) so the
// whole OAuth flow is testable end to end. The proxy issue replaces the method handling below with the
// real router (sessions, aggregation, backend calls); the wrapper stays.

export const runtime = "nodejs";
export const maxDuration = 60;
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 1024 * 1024;
const SUPPORTED_VERSIONS = [LATEST_PROTOCOL_VERSION, "2025-06-18", "2025-03-26"];
const INSTRUCTIONS = "A Tumiki MCP gateway instance: one endpoint for the MCP servers bundled in it.";

const JSON_RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
} as const;

const NO_STORE = { "Cache-Control": "no-store" };

const rpcResult = (id: TJsonRpcId, result: unknown) =>
  Response.json({ jsonrpc: "2.0", id, result }, { headers: NO_STORE });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isValidId = (id: unknown): id is string | number =>
  typeof id === "string" || (typeof id === "number" && Number.isFinite(id));

export const POST = withMcpAuth(async ({ request }) => {
  const text = await readLimitedBody({ request, maxBytes: MAX_BODY_BYTES });
  if (text === null) {
    return jsonRpcErrorResponse({
      code: JSON_RPC.invalidRequest,
      message: "The request body exceeds 1 MB.",
      status: 413,
    });
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return jsonRpcErrorResponse({
      code: JSON_RPC.parseError,
      message: "Parse error: the body is not valid JSON.",
      status: 400,
    });
  }
  if (Array.isArray(message)) {
    return jsonRpcErrorResponse({
      code: JSON_RPC.invalidRequest,
      message: "JSON-RPC batches are not supported.",
      status: 400,
    });
  }
  if (!isObject(message) || message.jsonrpc !== "2.0") {
    return jsonRpcErrorResponse({
      code: JSON_RPC.invalidRequest,
      message: "Invalid Request: expected a JSON-RPC 2.0 object.",
      status: 400,
    });
  }
  const hasId = "id" in message;
  if (hasId && !isValidId(message.id)) {
    return jsonRpcErrorResponse({
      code: JSON_RPC.invalidRequest,
      message: "Invalid Request: id must be a string or number.",
      status: 400,
    });
  }
  // Notifications and responses to server requests: accepted, nothing to answer (Streamable HTTP).
  if (typeof message.method !== "string") {
    if (hasId && ("result" in message || "error" in message)) return new Response(null, { status: 202 });
    return jsonRpcErrorResponse({
      code: JSON_RPC.invalidRequest,
      message: "Invalid Request: method must be a string.",
      status: 400,
    });
  }
  if (!hasId) return new Response(null, { status: 202 });
  const id = message.id as string | number;

  switch (message.method) {
    case "initialize": {
      const requested = isObject(message.params) ? message.params.protocolVersion : undefined;
      const protocolVersion =
        typeof requested === "string" && SUPPORTED_VERSIONS.includes(requested)
          ? requested
          : LATEST_PROTOCOL_VERSION;
      return rpcResult(id, {
        protocolVersion,
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: "tumiki", version: packageJson.version },
        instructions: INSTRUCTIONS,
      });
    }
    case "ping":
      return rpcResult(id, {});
    case "tools/list":
      return rpcResult(id, { tools: [] });
    default:
      return jsonRpcErrorResponse({
        id,
        code: JSON_RPC.methodNotFound,
        message: `Method not found: ${message.method.slice(0, 100)}`,
      });
  }
});

const methodNotAllowed = () =>
  jsonRpcErrorResponse({
    code: JSON_RPC.invalidRequest,
    message: "Use POST.",
    status: 405,
    headers: { Allow: "POST" },
  });

export const GET = async () => methodNotAllowed();
export const DELETE = async () => methodNotAllowed();
