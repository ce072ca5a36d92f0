import { AppError } from "../../errors";

// `error.type` of a span that ended with an exception: a low-cardinality class of the failure, never a
// message. The proxy's errors say it themselves: a JSON-RPC code (McpRequestError.rpcCode, as the MCP
// conventions want it), an OAuth error code, or a failure reason (BackendUnavailableError,
// ReAuthRequiredError). Read by shape, so this leaf module needs none of the proxy's classes.

export function errorTypeOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "_OTHER";
  const fields = error as { rpcCode?: unknown; error?: unknown; reason?: unknown };
  if (typeof fields.rpcCode === "number") return String(fields.rpcCode);
  if (typeof fields.error === "string") return fields.error;
  if (typeof fields.reason === "string") return fields.reason;
  if (error instanceof AppError) return error.code.toLowerCase();
  return "_OTHER";
}
