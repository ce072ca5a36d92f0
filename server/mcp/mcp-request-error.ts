import { AppError, type AppErrorCode } from "../errors";
import type { TJsonRpcId } from "./json-rpc-error-response";

// A request to /mcp/{instanceId} refused at the protocol level, mapped once by the route wrapper into a
// JSON-RPC error response. Transport refusals (a bad header, an unknown session) carry the HTTP status
// of their AppError code. Refusals of a well-formed request (unknown tool, bad params, unknown method)
// are `inProtocol`: HTTP 200 with the JSON-RPC error, the way MCP clients expect to read them (an HTTP
// error status would surface as a transport failure instead). `userMessage` is what the client reads.

export class McpRequestError extends AppError {
  readonly rpcCode: number;
  readonly id: TJsonRpcId;
  readonly headers: Record<string, string>;
  readonly inProtocol: boolean;
  /** JSON-RPC `error.data`, e.g. the versions a 2026-07-28 server supports. Never internals. */
  readonly data: unknown;

  constructor(
    code: AppErrorCode,
    options: {
      rpcCode: number;
      message: string;
      id?: TJsonRpcId;
      headers?: Record<string, string>;
      inProtocol?: boolean;
      data?: unknown;
    },
  ) {
    super(code, { userMessage: options.message });
    this.name = "McpRequestError";
    this.rpcCode = options.rpcCode;
    this.id = options.id ?? null;
    this.headers = options.headers ?? {};
    this.inProtocol = options.inProtocol ?? false;
    this.data = options.data;
  }

  override get status(): number {
    return this.inProtocol ? 200 : super.status;
  }
}
