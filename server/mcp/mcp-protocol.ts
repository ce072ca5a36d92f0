import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

// The MCP protocol facts the proxy relies on, in one place: the versions it speaks, the JSON-RPC error
// codes it answers with, and the separator of aggregated names.

/** Newest first: `initialize` answers with the client's version when listed, else the first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [LATEST_PROTOCOL_VERSION, "2025-06-18", "2025-03-26"] as const;

export const LATEST_VERSION: string = SUPPORTED_PROTOCOL_VERSIONS[0];

export const JSON_RPC_ERROR = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Transport-level refusals (the SDK's and the spec examples' choice). */
  transportError: -32000,
  sessionNotFound: -32001,
  /** Tumiki's own (server-error range): the backend server of a routed request failed or needs the user. */
  backendError: -32010,
  /** MCP 2025-11-25: the request needs a URL-mode elicitation (here: reconnecting a backend). */
  urlElicitationRequired: -32042,
} as const;

/** Between a server's slug and its tool or prompt name when an instance bundles several servers. */
export const NAME_SEPARATOR = "__";

export const MCP_SESSION_HEADER = "mcp-session-id";
export const MCP_PROTOCOL_VERSION_HEADER = "mcp-protocol-version";
