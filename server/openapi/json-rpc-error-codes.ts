import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";

// What each JSON-RPC error code of /mcp/{instanceId} means and with which HTTP status it comes, keyed
// by the names in server/protocol/mcp-protocol.ts, so a code added there cannot be left out of the API
// reference (the Record is exhaustive). The statuses are those the proxy sends: transport refusals carry
// an HTTP error status, refusals of a well-formed 2025 request come as 200 with the error in the body.

export type TJsonRpcErrorCodeEntry = { code: number; name: string; httpStatus: string; meaning: string };

const MEANINGS: Record<keyof typeof JSON_RPC_ERROR, { httpStatus: string; meaning: string }> = {
  parseError: { httpStatus: "400", meaning: "The body is not valid JSON." },
  invalidRequest: {
    httpStatus: "400 (413 for a body over 1 MiB; 200 for a refused resources/subscribe)",
    meaning:
      "Not one JSON-RPC 2.0 message (batches are refused), `initialize` sent with a session id, or a 2026-07-28 client sending a response.",
  },
  methodNotFound: {
    httpStatus: "200 (2025 sessions) or 404 (2026-07-28)",
    meaning: "The method is not one MCP defines or Tumiki serves.",
  },
  invalidParams: {
    httpStatus: "200 (400 for a 2026-07-28 request without its `_meta` envelope)",
    meaning:
      "Unknown tool, prompt or resource, arguments that are not an object, an unknown log level, or a 2026-07-28 `_meta` without protocolVersion and clientCapabilities.",
  },
  internalError: {
    httpStatus: "500 or 503",
    meaning: "An unexpected error in Tumiki (500), or its session store is unavailable (503).",
  },
  transportError: {
    httpStatus: "400, 403, 405, 406, 415 or 429",
    meaning:
      "A Streamable HTTP rule was broken: Mcp-Session-Id missing, Accept or Content-Type wrong, an unsupported MCP-Protocol-Version, a foreign Origin, GET/DELETE without a session, the per-user request or stream limit.",
  },
  sessionNotFound: {
    httpStatus: "404",
    meaning:
      "The Mcp-Session-Id is unknown, expired or another user's: start a new session with `initialize`.",
  },
  legacyResourceNotFound: {
    httpStatus: "200 (relayed from a backend)",
    meaning: "2025-11-25: a backend has no resource at this URI (2026-07-28 clients get -32602 instead).",
  },
  backendError: {
    httpStatus: "200",
    meaning:
      "A backend server failed a list, prompt or resource request (down, timed out, answered something that is not MCP); `data.reason` says which (see the audit reasons). Tool calls report the same as a result with `isError`.",
  },
  headerMismatch: {
    httpStatus: "400",
    meaning:
      "2026-07-28: MCP-Protocol-Version, Mcp-Method or Mcp-Name is missing or says something else than the body.",
  },
  missingRequiredClientCapability: {
    httpStatus: "200 (relayed from a backend)",
    meaning:
      "2026-07-28: the request needs a client capability (e.g. elicitation) that its `_meta` did not declare. Tumiki passes a backend's on; it also recognizes a 2026-07-28 backend by it.",
  },
  unsupportedProtocolVersion: {
    httpStatus: "400",
    meaning: "2026-07-28: a protocol version Tumiki does not serve; `data.supported` lists those it does.",
  },
  urlElicitationRequired: {
    httpStatus: "200",
    meaning:
      "A backend's authorization must be renewed by the user: `data` carries the URL to open (clients that declared URL elicitation). Other clients get a tool result with the same URL. `data.reason` is `re_auth_required`.",
  },
};

export const JSON_RPC_ERROR_CODES: TJsonRpcErrorCodeEntry[] = (
  Object.keys(JSON_RPC_ERROR) as (keyof typeof JSON_RPC_ERROR)[]
).map((name) => ({ code: JSON_RPC_ERROR[name], name, ...MEANINGS[name] }));
