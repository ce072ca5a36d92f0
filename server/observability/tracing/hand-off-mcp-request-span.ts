import { context } from "@opentelemetry/api";
import { endMcpRequestSpan, MCP_REQUEST_SPAN_KEY, type TMcpRequestSpan } from "./mcp-request-span";

// A relayed call answers its client with a Response that may stream until the backend is done: the
// request's SERVER span is handed to the relay, which ends it with the call's outcome (a JSON-RPC error
// is `error.type` = its code; a tools/call that ends in an isError result, the backend's or Tumiki's
// own failure answer, is "tool_error", as the MCP conventions name it).

type TSettledCall = { outcome: "SUCCESS" | "FAILURE"; reason?: string; rpcCode?: number };

/** Takes over the current request's span; undefined outside a traced request. */
export function handOffMcpRequestSpan(): ((settled: TSettledCall) => void) | undefined {
  const holder = context.active().getValue(MCP_REQUEST_SPAN_KEY) as TMcpRequestSpan | undefined;
  if (!holder || holder.ended) return undefined;
  holder.handedOff = true;
  return ({ outcome, reason, rpcCode }) => {
    if (outcome === "SUCCESS") {
      endMcpRequestSpan(holder);
      return;
    }
    const errorType =
      rpcCode !== undefined
        ? String(rpcCode)
        : holder.method === "tools/call"
          ? "tool_error"
          : (reason ?? "_OTHER");
    endMcpRequestSpan(holder, { errorType, rpcCode, reason });
  };
}
