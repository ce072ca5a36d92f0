import {
  type TJsonRpcMessage,
  ZJsonRpcNotification,
  ZJsonRpcRequest,
  ZJsonRpcResponse,
} from "./json-rpc-schemas";

/** A message a backend sent, by kind; null when it is not valid JSON-RPC (it is then dropped). */
export function classifyBackendMessage(value: unknown): TJsonRpcMessage | null {
  const request = ZJsonRpcRequest.safeParse(value);
  if (request.success) return { kind: "request", message: request.data };
  const response = ZJsonRpcResponse.safeParse(value);
  if (response.success) return { kind: "response", message: response.data };
  const notification = ZJsonRpcNotification.safeParse(value);
  if (notification.success) return { kind: "notification", message: notification.data };
  return null;
}
