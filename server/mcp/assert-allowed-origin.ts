import { getEnv } from "../env";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { McpRequestError } from "./mcp-request-error";

// DNS-rebinding defence of the MCP endpoint (MCP 2025-11-25 transports, "Security Warning"): a browser
// page on another origin must not reach it. Requests without an Origin header (CLI and desktop clients,
// agents) are not browser requests and pass; a present Origin must be APP_URL's or an operator-allowed
// one (MCP_ALLOWED_ORIGINS), compared as serialized origins.

export function assertAllowedOrigin(headers: Headers): void {
  const origin = headers.get("origin");
  if (origin === null) return;
  const env = getEnv();
  const allowed = [new URL(env.APP_URL).origin, ...env.MCP_ALLOWED_ORIGINS];
  if (allowed.includes(origin)) return;
  throw new McpRequestError("FORBIDDEN", {
    rpcCode: JSON_RPC_ERROR.transportError,
    message: "Forbidden: requests from this Origin are not allowed.",
  });
}
