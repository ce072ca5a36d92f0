import { MODERN_PROTOCOL_VERSIONS } from "../../protocol/mcp-protocol";
import { buildInstructions } from "../build-initialize-result";
import { leftOutMeta } from "../left-out-servers";
import type { TMcpRequestContext } from "../mcp-request-context";
import { mergeBackendCapabilities } from "../merge-backend-capabilities";

// `server/discover` (2026-07-28): the versions Tumiki serves per request, the merged capabilities of
// the servers the token may use, and the instructions. The 2025 revisions are served too, but through
// `initialize`, so only per-request versions are listed (a client picks one of these for its `_meta`).
// Not cached (`ttlMs` 0): the capabilities follow the instance's servers and their connections. Servers
// that could not be asked are named, as in `initialize`.

export async function buildDiscoverResult(ctx: TMcpRequestContext): Promise<Record<string, unknown>> {
  const { capabilities, leftOut } = await mergeBackendCapabilities(ctx);
  return {
    supportedVersions: [...MODERN_PROTOCOL_VERSIONS],
    capabilities,
    instructions: buildInstructions(leftOut),
    ttlMs: 0,
    ...leftOutMeta(leftOut),
  };
}
