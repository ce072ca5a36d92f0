import { InsufficientScopeError } from "../auth/oauth-errors";
import { assertToolScope } from "../auth/verify/assert-server-scope";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { resolveName } from "./aggregated-names";
import { auditToolCall } from "./audit-tool-call";
import { forwardRequest } from "./forward-request";
import { frameResultForClient } from "./frame-result-for-client";
import { jsonRpcResultResponse } from "./json-rpc-result-response";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { buildHeldToolAnswer } from "./tools/build-held-tool-answer";
import { confirmToolCall } from "./tools/confirm-tool-call";
import { decideToolCall } from "./tools/decide-tool-call";

// tools/call: the tool's server is found from its name, the token must cover the server or the tool
// (else 403 insufficient_scope, the scope named, so the client can ask the user for it), the instance's
// tool controls decide whether the tool may run (tools/decide-tool-call.ts), a tool that needs the
// user's confirmation asks for it (tools/confirm-tool-call.ts), and the call goes to the backend under
// the backend's own name. Every call is audited once it has ended, every refusal too.

const unknownTool = (request: TJsonRpcRequest, exposed: string) =>
  // A protocol error, as the MCP spec has it for unknown tools; HTTP 200 like any JSON-RPC error. A
  // tool the instance hides gets exactly this answer: nothing tells it from one that does not exist.
  new McpRequestError("BAD_REQUEST", {
    id: request.id,
    rpcCode: JSON_RPC_ERROR.invalidParams,
    inProtocol: true,
    message: `Unknown tool: ${exposed.slice(0, 200)}`,
  });

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
  if (!resolved) throw unknownTool(request, exposed);
  const { backend, name } = resolved;
  const started = performance.now();
  const refused = (reason: string) =>
    auditToolCall({ auth: ctx.auth, backend, tool: name, outcome: "DENIED", reason, durationMs: 0 });

  // The token's scopes first: a token without this tool learns nothing of the server's tools (a 403
  // whether the tool exists, is hidden or is held), and Tumiki lists nothing on its behalf.
  try {
    assertToolScope({ auth: ctx.auth, serverSlug: backend.slug, tool: name });
  } catch (error) {
    if (error instanceof InsufficientScopeError) refused("insufficient_scope");
    throw error;
  }
  const decision = await decideToolCall({ ctx, backend, name });
  if (decision.kind === "unknown") {
    if (decision.reason) refused(decision.reason);
    throw unknownTool(request, exposed);
  }
  if (decision.kind === "held_changed") {
    refused("tool_changed");
    const result = buildHeldToolAnswer({ backend, instanceId: ctx.instanceId, tool: exposed });
    return jsonRpcResultResponse({
      id: request.id,
      result: frameResultForClient({ client: ctx.client, method: request.method, result }),
    });
  }
  return forwardRequest({
    ctx,
    request,
    headers,
    backend,
    params: { ...params, name },
    isToolCall: true,
    before: async (call) => {
      if (decision.kind === "unreachable") throw decision.error;
      return decision.needsConfirmation ? confirmToolCall({ call, definition: decision.definition }) : true;
    },
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
