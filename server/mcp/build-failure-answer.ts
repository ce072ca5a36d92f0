import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { AppError } from "../errors";
import { isClientDisconnect } from "../http/is-client-disconnect";
import { getLogger } from "../logger";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { buildReAuthAnswer } from "./build-re-auth-answer";
import type { TInstanceBackend } from "./get-instance-backends";
import { InputRefusedError } from "./input/input-refused-error";
import type { TRequestId } from "./json-rpc-schemas";

// What the client gets when a routed request could not be answered by its backend (or could not go on
// because the client refused what the backend asked of it). Only that server is
// affected: a tool call gets a tool result with isError (the model reads it and carries on with other
// tools), anything else a JSON-RPC error. Messages are the errors' safe userMessage, never internals.

/** How a relayed call ended; `rpcCode` when the client got a JSON-RPC error (its trace's error.type). */
export type TCallOutcome = { outcome: "SUCCESS" | "FAILURE"; reason?: string; rpcCode?: number };

export function buildFailureAnswer({
  error,
  backend,
  requestId,
  supportsUrlElicitation,
  isToolCall,
}: {
  error: unknown;
  backend: TInstanceBackend;
  requestId: TRequestId;
  supportsUrlElicitation: boolean;
  isToolCall: boolean;
}): { message: Record<string, unknown>; settled: TCallOutcome } {
  if (error instanceof ReAuthRequiredError) {
    return {
      message: buildReAuthAnswer({ error, backend, requestId, supportsUrlElicitation, isToolCall }),
      settled: { outcome: "FAILURE", reason: "re_auth_required" },
    };
  }
  const refused = error instanceof InputRefusedError;
  const known = refused || (error instanceof AppError && error.code === "UNAVAILABLE");
  if (!known && isClientDisconnect({ error })) {
    getLogger().debug(
      { err: error, server: backend.slug },
      "a proxied MCP request ended: the client went away",
    );
  } else if (!known) {
    getLogger().error({ err: error, server: backend.slug }, "a proxied MCP request failed");
  }
  const text = known
    ? error.userMessage
    : `${backend.name} could not be reached because of an error in Tumiki.`;
  // An AppError UNAVAILABLE that is not the backend's own comes from the token manager: the backend's
  // authorization server could not refresh an expired token.
  const reason = refused
    ? "input_refused"
    : error instanceof BackendUnavailableError
      ? error.reason
      : known
        ? "token_refresh_unavailable"
        : "internal_error";
  const data = {
    error: refused ? "input_refused" : "backend_unavailable",
    reason,
    server: { id: backend.mcpServerId, slug: backend.slug, name: backend.name },
  };
  const code = known ? JSON_RPC_ERROR.backendError : JSON_RPC_ERROR.internalError;
  const message = isToolCall
    ? {
        jsonrpc: "2.0",
        id: requestId,
        result: { isError: true, content: [{ type: "text", text }], _meta: { "tumiki/error": data } },
      }
    : {
        jsonrpc: "2.0",
        id: requestId,
        error: {
          code,
          message: text,
          data,
        },
      };
  return { message, settled: { outcome: "FAILURE", reason, ...(isToolCall ? {} : { rpcCode: code }) } };
}
