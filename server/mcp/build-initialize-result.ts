import { leftOutMeta, type TLeftOutServer } from "./left-out-servers";
import type { TMcpRequestContext } from "./mcp-request-context";
import { mergeBackendCapabilities } from "./merge-backend-capabilities";
import { TUMIKI_SERVER_INFO } from "./server-info";

// Tumiki's own `initialize` answer (2025 and earlier): the merged capabilities of the servers the token
// may use, and instructions on how an aggregate names things. Servers that could not be asked are
// named twice: in `_meta` for programs, and in the instructions for the model, which otherwise could
// not know why a server's tools are missing.

const INSTRUCTIONS =
  "A Tumiki MCP gateway: one endpoint for the MCP servers bundled in this instance. When it bundles " +
  "several servers, tool and prompt names start with the server's slug and `__`.";

export function buildInstructions(leftOut: TLeftOutServer[]): string {
  if (leftOut.length === 0) return INSTRUCTIONS;
  const names = leftOut.map((server) => `${server.name} (${server.reason})`).join(", ");
  return `${INSTRUCTIONS} Unavailable right now, so their tools are missing: ${names}.`;
}

export async function buildInitializeResult({
  ctx,
  protocolVersion,
}: {
  ctx: TMcpRequestContext;
  protocolVersion: string;
}) {
  const { capabilities, leftOut } = await mergeBackendCapabilities(ctx);
  return {
    protocolVersion,
    capabilities,
    serverInfo: TUMIKI_SERVER_INFO,
    instructions: buildInstructions(leftOut),
    ...leftOutMeta(leftOut),
  };
}
