import { isRecord } from "../../protocol/is-record";
import {
  isModernVersion,
  JSON_RPC_ERROR,
  LOG_LEVELS,
  MCP_PROTOCOL_VERSION_HEADER,
  META,
  MODERN_PROTOCOL_VERSIONS,
} from "../../protocol/mcp-protocol";
import type { TJsonRpcRequest } from "../json-rpc-schemas";
import { McpRequestError } from "../mcp-request-error";

// What a 2026-07-28 request says about its client, read from `params._meta` (basic/index.mdx "_meta"):
// the protocol version and client capabilities are required, client info and log level optional. The
// capabilities are the client's for this one request (servers MUST NOT infer them from earlier ones).
//
// The checks run in the order 2026-07-28 servers answer them (streamable-http.mdx "Server Validation",
// versioning.mdx), each a 400: no MCP-Protocol-Version header (-32020); `_meta` without its required
// fields (-32602); a header that names another version than the body (-32020); a version Tumiki does
// not serve (-32022, with the versions it does).

export type TModernEnvelope = {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown> | null;
  /** Absent: the client wants no `notifications/message` for this request. */
  logLevel: string | null;
};

const badRequest = (id: TJsonRpcRequest["id"], code: number, message: string, data?: unknown) =>
  new McpRequestError("BAD_REQUEST", { id, rpcCode: code, message, data });

export function readModernEnvelope({
  request,
  headers,
}: {
  request: TJsonRpcRequest;
  headers: Headers;
}): TModernEnvelope {
  const { id } = request;
  const headerVersion = headers.get(MCP_PROTOCOL_VERSION_HEADER)?.trim() ?? null;
  if (headerVersion === null) {
    throw badRequest(
      id,
      JSON_RPC_ERROR.headerMismatch,
      "Header mismatch: the MCP-Protocol-Version header is required.",
    );
  }
  const rawMeta = request.params?._meta;
  const meta: Record<string, unknown> = isRecord(rawMeta) ? rawMeta : {};
  const version = meta[META.protocolVersion];
  const capabilities = meta[META.clientCapabilities];
  if (typeof version !== "string" || !isRecord(capabilities)) {
    throw badRequest(
      id,
      JSON_RPC_ERROR.invalidParams,
      `Invalid params: _meta needs "${META.protocolVersion}" and "${META.clientCapabilities}".`,
    );
  }
  if (headerVersion !== version) {
    throw badRequest(
      id,
      JSON_RPC_ERROR.headerMismatch,
      "Header mismatch: MCP-Protocol-Version does not match the body's protocol version.",
    );
  }
  if (!isModernVersion(version)) {
    throw badRequest(id, JSON_RPC_ERROR.unsupportedProtocolVersion, "Unsupported protocol version", {
      supported: [...MODERN_PROTOCOL_VERSIONS],
      requested: version.slice(0, 64),
    });
  }
  const clientInfo = meta[META.clientInfo];
  const logLevel = meta[META.logLevel];
  if (logLevel !== undefined && !(typeof logLevel === "string" && LOG_LEVELS.includes(logLevel))) {
    throw badRequest(
      id,
      JSON_RPC_ERROR.invalidParams,
      `Invalid params: "${META.logLevel}" must be one of ${LOG_LEVELS.join(", ")}.`,
    );
  }
  return {
    protocolVersion: version,
    capabilities,
    clientInfo: isRecord(clientInfo) ? clientInfo : null,
    logLevel: typeof logLevel === "string" ? logLevel : null,
  };
}
