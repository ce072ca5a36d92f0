import { InsufficientScopeError } from "../auth/oauth-errors";
import { assertServerScope } from "../auth/verify/assert-server-scope";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { resolveName } from "./aggregated-names";
import { auditToolCall } from "./audit-tool-call";
import { forwardRequest } from "./forward-request";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";

// tools/call: the tool's server is found from its name, the token must cover that server (else 403
// insufficient_scope, the scope named, so the client can ask the user for it), and the call goes to
// the backend under the backend's own name. Every call is audited once it has ended.

export async function callTool({
  ctx,
  request,
  headers,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
  headers: Headers;
}) {
  const params = request.params ?? {};
  const exposed = params.name;
  if (typeof exposed !== "string" || exposed === "") {
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidParams,
      inProtocol: true,
      message: "Invalid params: tools/call needs the tool's name.",
    });
  }
  const resolved = resolveName(ctx.backends, exposed);
  if (!resolved) {
    // A protocol error, as the MCP spec has it for unknown tools; HTTP 200 like any JSON-RPC error.
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidParams,
      inProtocol: true,
      message: `Unknown tool: ${exposed.slice(0, 200)}`,
    });
  }
  const { backend, name } = resolved;
  const started = performance.now();
  try {
    assertServerScope({ auth: ctx.auth, serverSlug: backend.slug });
  } catch (error) {
    if (error instanceof InsufficientScopeError) {
      auditToolCall({
        auth: ctx.auth,
        backend,
        tool: name,
        outcome: "DENIED",
        reason: "insufficient_scope",
        durationMs: 0,
      });
    }
    throw error;
  }
  return forwardRequest({
    ctx,
    request,
    headers,
    backend,
    params: { ...params, name },
    isToolCall: true,
    settle: ({ outcome, reason }) =>
      auditToolCall({
        auth: ctx.auth,
        backend,
        tool: name,
        outcome,
        reason,
        durationMs: performance.now() - started,
      }),
  });
}
