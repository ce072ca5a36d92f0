import {
  JSON_RPC_ERROR,
  MCP_METHOD_HEADER,
  MCP_NAME_HEADER,
  NAMED_METHODS,
} from "../../protocol/mcp-protocol";
import type { TJsonRpcRequest } from "../json-rpc-schemas";
import { McpRequestError } from "../mcp-request-error";
import { decodeHeaderValue } from "./header-value-codec";

// The request metadata headers of 2026-07-28 (streamable-http.mdx "Server Validation"): intermediaries
// route and rate-limit on them, so a server that reads the body MUST refuse a request whose headers are
// missing or say something else than the body (400, HeaderMismatch -32020). `Mcp-Param-*` headers
// mirror arguments only the owning backend's tool schema defines: Tumiki forwards them and the backend,
// which knows the schema, validates them.

const mismatch = (id: TJsonRpcRequest["id"], message: string) =>
  new McpRequestError("BAD_REQUEST", {
    id,
    rpcCode: JSON_RPC_ERROR.headerMismatch,
    message: `Header mismatch: ${message}`,
  });

/** After readModernEnvelope (which checks MCP-Protocol-Version): the method and name headers. */
export function assertModernHeaders({
  headers,
  request,
}: {
  headers: Headers;
  request: TJsonRpcRequest;
}): void {
  const { id, method } = request;
  const methodHeader = headers.get(MCP_METHOD_HEADER);
  if (methodHeader === null) throw mismatch(id, "the Mcp-Method header is required.");
  if (methodHeader.trim() !== method) throw mismatch(id, "Mcp-Method does not match the body's method.");

  const nameKey = NAMED_METHODS[method];
  if (!nameKey) return;
  const nameHeader = headers.get(MCP_NAME_HEADER);
  if (nameHeader === null) throw mismatch(id, `the Mcp-Name header is required for ${method}.`);
  const name = decodeHeaderValue(nameHeader);
  if (name === null) throw mismatch(id, "Mcp-Name contains characters a header value cannot carry.");
  if (name !== request.params?.[nameKey]) {
    throw mismatch(id, `Mcp-Name does not match the body's params.${nameKey}.`);
  }
}
