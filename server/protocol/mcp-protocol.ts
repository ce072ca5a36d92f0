import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

// The MCP protocol facts Tumiki relies on, in one place, shared by the proxy (server/mcp/) and tier 2
// (server/backends/, which probes backends): the versions of both eras, the JSON-RPC error codes, the
// `_meta` keys and headers of 2026-07-28, and the separator of aggregated names.
//
// Two eras share /mcp/{instanceId} (2026-07-28 basic/versioning.mdx, "dual-era server"): the legacy era
// (2025-11-25 and earlier) opens a session with `initialize`; the modern era (2026-07-28) carries its
// version, capabilities and identity in every request's `_meta` and keeps no session.

/** Newest first: `initialize` answers with the client's version when listed, else the first. */
export const SUPPORTED_PROTOCOL_VERSIONS = [LATEST_PROTOCOL_VERSION, "2025-06-18", "2025-03-26"] as const;

export const LATEST_VERSION: string = SUPPORTED_PROTOCOL_VERSIONS[0];

/** The per-request (stateless) revisions, newest first. */
export const MODERN_PROTOCOL_VERSIONS = ["2026-07-28"] as const;

export const MODERN_VERSION: string = MODERN_PROTOCOL_VERSIONS[0];

export const isLegacyVersion = (version: string) =>
  (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(version);

export const isModernVersion = (version: string) =>
  (MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(version);

export const JSON_RPC_ERROR = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Transport-level refusals (the SDK's and the spec examples' choice). */
  transportError: -32000,
  sessionNotFound: -32001,
  /** MCP 2025-11-25: a resource that does not exist (2026-07-28 uses invalidParams instead). */
  legacyResourceNotFound: -32002,
  /** Tumiki's own (server-error range): the backend server of a routed request failed or needs the user. */
  backendError: -32010,
  /** MCP 2026-07-28: headers that disagree with the body, or a required header missing. */
  headerMismatch: -32020,
  /** MCP 2026-07-28: the request needs a client capability the caller did not declare. */
  missingRequiredClientCapability: -32021,
  /** MCP 2026-07-28: a protocol version this server does not serve; `data.supported` lists those it does. */
  unsupportedProtocolVersion: -32022,
  /** MCP 2025-11-25: the request needs a URL-mode elicitation (here: reconnecting a backend). */
  urlElicitationRequired: -32042,
} as const;

/** The modern errors a client (or Tumiki, probing a backend) recognizes as "this server speaks 2026". */
export const MODERN_ERROR_CODES: readonly number[] = [
  JSON_RPC_ERROR.headerMismatch,
  JSON_RPC_ERROR.missingRequiredClientCapability,
  JSON_RPC_ERROR.unsupportedProtocolVersion,
];

/** `_meta` keys of 2026-07-28 requests, results and notifications. */
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** Between a server's slug and its tool or prompt name when an instance bundles several servers. */
export const NAME_SEPARATOR = "__";

export const MCP_SESSION_HEADER = "mcp-session-id";
export const MCP_PROTOCOL_VERSION_HEADER = "mcp-protocol-version";
export const MCP_METHOD_HEADER = "mcp-method";
export const MCP_NAME_HEADER = "mcp-name";
/** `Mcp-Param-{Name}`: tool arguments a tool's schema asks clients to mirror into headers (x-mcp-header). */
export const MCP_PARAM_HEADER_PREFIX = "mcp-param-";
export const LAST_EVENT_ID_HEADER = "last-event-id";

/** The methods whose `params.name` or `params.uri` 2026-07-28 mirrors into `Mcp-Name`. */
export const NAMED_METHODS: Record<string, "name" | "uri"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/** RFC 5424 severities as MCP names them, least severe first: a log level passes what is at or above it. */
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
