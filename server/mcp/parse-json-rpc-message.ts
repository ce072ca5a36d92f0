import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import {
  type TJsonRpcMessage,
  ZJsonRpcNotification,
  ZJsonRpcRequest,
  ZJsonRpcResponse,
} from "./json-rpc-schemas";
import { McpRequestError } from "./mcp-request-error";

// One POST body → one JSON-RPC message, or the JSON-RPC error the spec prescribes: -32700 for text that
// is not JSON, -32600 for JSON that is not one MCP message. The refusal never echoes the body.

const invalid = (message: string) =>
  new McpRequestError("BAD_REQUEST", {
    rpcCode: JSON_RPC_ERROR.invalidRequest,
    message: `Invalid Request: ${message}`,
  });

export function parseJsonRpcMessage(text: string): TJsonRpcMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new McpRequestError("BAD_REQUEST", {
      rpcCode: JSON_RPC_ERROR.parseError,
      message: "Parse error: the body is not valid JSON.",
    });
  }
  if (Array.isArray(value))
    throw invalid("send one JSON-RPC message per request; batches are not supported.");
  if (typeof value !== "object" || value === null || (value as { jsonrpc?: unknown }).jsonrpc !== "2.0") {
    throw invalid("expected a JSON-RPC 2.0 object.");
  }
  const body = value as Record<string, unknown>;
  if ("method" in body) {
    if ("id" in body) {
      const request = ZJsonRpcRequest.safeParse(body);
      if (request.success) return { kind: "request", message: request.data };
      throw invalid("a request needs a string or integer id, a method and object params.");
    }
    const notification = ZJsonRpcNotification.safeParse(body);
    if (notification.success) return { kind: "notification", message: notification.data };
    throw invalid("a notification needs a method and object params.");
  }
  const response = ZJsonRpcResponse.safeParse(body);
  if (response.success) return { kind: "response", message: response.data };
  throw invalid("expected a request, a notification or a response.");
}
