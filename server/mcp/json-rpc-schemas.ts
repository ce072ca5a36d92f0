import { z } from "zod";

// The JSON-RPC 2.0 messages of MCP (one per POST; batches were removed in 2025-06-18). MCP ids are
// strings or integers, never null; `params` is an object when present.

export const ZJsonRpcId = z.union([z.string().max(256), z.number().int()]);
export type TRequestId = z.infer<typeof ZJsonRpcId>;

const ZParams = z.record(z.string(), z.unknown());

export const ZJsonRpcRequest = z.object({
  jsonrpc: z.literal("2.0"),
  id: ZJsonRpcId,
  method: z.string().min(1).max(256),
  params: ZParams.optional(),
});
export type TJsonRpcRequest = z.infer<typeof ZJsonRpcRequest>;

export const ZJsonRpcNotification = z.object({
  jsonrpc: z.literal("2.0"),
  method: z.string().min(1).max(256),
  params: ZParams.optional(),
});
export type TJsonRpcNotification = z.infer<typeof ZJsonRpcNotification>;

export const ZJsonRpcError = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});

export const ZJsonRpcResponse = z.union([
  z.object({ jsonrpc: z.literal("2.0"), id: ZJsonRpcId, result: z.record(z.string(), z.unknown()) }),
  z.object({ jsonrpc: z.literal("2.0"), id: ZJsonRpcId.nullable(), error: ZJsonRpcError }),
]);
export type TJsonRpcResponse = z.infer<typeof ZJsonRpcResponse>;

export type TJsonRpcMessage =
  | { kind: "request"; message: TJsonRpcRequest }
  | { kind: "notification"; message: TJsonRpcNotification }
  | { kind: "response"; message: TJsonRpcResponse };
