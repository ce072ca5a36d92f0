import { randomUUID } from "node:crypto";
import type { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TRequestId } from "./json-rpc-schemas";

// The answer to a request that needs the user to reconnect a backend (DESIGN.md "Re-auth is not a
// 401"): a 401 would make the client re-authorize with Tumiki, which cannot renew a backend's grant,
// and loop. A client that declared URL-mode elicitation gets the MCP 2025-11-25 URL elicitation error
// (-32042), whose URL it shows the user; any other client gets the same URL in words, as a tool error
// the model can relay (or, outside tools/call, a JSON-RPC error). Every form carries the plan's
// `re_auth_required` and the reconnect URL in its data.

export function buildReAuthAnswer({
  error,
  backend,
  requestId,
  supportsUrlElicitation,
  isToolCall,
}: {
  error: ReAuthRequiredError;
  backend: TInstanceBackend;
  requestId: TRequestId;
  supportsUrlElicitation: boolean;
  isToolCall: boolean;
}) {
  const data = {
    error: "re_auth_required",
    reason: error.reason,
    reconnectUrl: error.reconnectUrl,
    server: { id: backend.mcpServerId, slug: backend.slug, name: backend.name },
  };
  if (supportsUrlElicitation) {
    return {
      jsonrpc: "2.0" as const,
      id: requestId,
      error: {
        code: JSON_RPC_ERROR.urlElicitationRequired,
        message: error.userMessage,
        data: {
          ...data,
          elicitations: [
            {
              mode: "url",
              elicitationId: randomUUID(),
              url: error.reconnectUrl,
              message: `Sign in to ${backend.name} again so Tumiki can use it on your behalf.`,
            },
          ],
        },
      },
    };
  }
  if (isToolCall) {
    return {
      jsonrpc: "2.0" as const,
      id: requestId,
      result: {
        isError: true,
        content: [{ type: "text", text: `${error.userMessage} (re_auth_required)` }],
        _meta: { "tumiki/error": data },
      },
    };
  }
  return {
    jsonrpc: "2.0" as const,
    id: requestId,
    error: { code: JSON_RPC_ERROR.backendError, message: error.userMessage, data },
  };
}
