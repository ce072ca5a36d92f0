import type { TMcpRequestContext } from "./mcp-request-context";
import { mergeBackendCapabilities } from "./merge-backend-capabilities";
import { TUMIKI_SERVER_INFO } from "./server-info";

// Tumiki's own `initialize` answer (2025 and earlier): the merged capabilities of the servers the token
// may use, and instructions on how an aggregate names things.

export const INSTRUCTIONS =
  "A Tumiki MCP gateway: one endpoint for the MCP servers bundled in this instance. When it bundles " +
  "several servers, tool and prompt names start with the server's slug and `__`.";

export async function buildInitializeResult({
  ctx,
  protocolVersion,
}: {
  ctx: TMcpRequestContext;
  protocolVersion: string;
}) {
  return {
    protocolVersion,
    capabilities: await mergeBackendCapabilities(ctx),
    serverInfo: TUMIKI_SERVER_INFO,
    instructions: INSTRUCTIONS,
  };
}
