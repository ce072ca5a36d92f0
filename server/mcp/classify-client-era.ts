import { isRecord } from "../protocol/is-record";
import {
  isLegacyVersion,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
  META,
} from "../protocol/mcp-protocol";
import type { TJsonRpcMessage } from "./json-rpc-schemas";

// Which era a POST belongs to, decided once at the edge (versioning.mdx, "dual-era server"): a request
// that carries the 2026-07-28 `_meta` envelope is modern, served statelessly, whatever else it carries
// (a stray Mcp-Session-Id is ignored, as 2026-07-28 asks). Without a session, a version header that
// names no 2025-era revision is modern too: such a request is then refused the modern way (missing
// `_meta`, unsupported version), which is what a 2026 client can act on. Everything else, `initialize`
// first of all, is the 2025 session protocol.

export function classifyClientEra(message: TJsonRpcMessage, headers: Headers): "legacy" | "modern" {
  if (message.kind !== "response") {
    const meta = message.message.params?._meta;
    if (isRecord(meta) && (META.protocolVersion in meta || META.clientCapabilities in meta)) return "modern";
  }
  if (headers.get(MCP_SESSION_HEADER) !== null) return "legacy";
  const version = headers.get(MCP_PROTOCOL_VERSION_HEADER)?.trim();
  return version !== undefined && !isLegacyVersion(version) ? "modern" : "legacy";
}
