import { getLogger } from "../logger";
import { exposeName, exposeUri } from "./aggregated-names";
import { callTool } from "./call-tool";
import { jsonRpcResultResponse } from "./json-rpc-result-response";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import { listFromBackends } from "./list-from-backends";
import { JSON_RPC_ERROR } from "./mcp-protocol";
import { backendsInScope, type TMcpRequestContext, toTarget } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { routeByReference } from "./route-by-reference";
import { sendToBackend } from "./send-to-backend";

// The requests of an initialized session, by method: lists are answered by Tumiki from its backends
// (aggregated and scope-filtered), calls go to the backend that owns them. `initialize` is handled
// before a session exists (handle-mcp-post.ts).

const renamed =
  (key: "name" | "uri" | "uriTemplate") =>
  (ctx: TMcpRequestContext) =>
  (backend: TMcpRequestContext["backends"][number], item: Record<string, unknown>) => {
    const value = item[key];
    if (typeof value !== "string") return null;
    const expose = key === "name" ? exposeName : exposeUri;
    return { ...item, [key]: expose(ctx.backends, backend, value) };
  };

/** logging/setLevel applies to every server the token covers that logs; failures change nothing else. */
async function setLogLevel(ctx: TMcpRequestContext, request: TJsonRpcRequest) {
  await Promise.all(
    backendsInScope(ctx).map(async (backend) => {
      try {
        const { reply } = await sendToBackend({
          target: toTarget(ctx, backend),
          message: { ...request, id: `tumiki-${request.id}-${backend.slug}` },
          signal: ctx.signal,
        });
        await reply.body.cancel();
      } catch (error) {
        getLogger().warn({ err: error, server: backend.slug }, "a backend did not take the log level");
      }
    }),
  );
  return jsonRpcResultResponse(request.id, {});
}

export async function handleClientRequest({
  ctx,
  request,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
}): Promise<Response> {
  const { id } = request;
  switch (request.method) {
    case "ping":
      return jsonRpcResultResponse(id, {});
    case "tools/list":
      return jsonRpcResultResponse(id, {
        tools: await listFromBackends({
          ctx,
          method: "tools/list",
          itemsKey: "tools",
          capability: "tools",
          mapItem: renamed("name")(ctx),
        }),
      });
    case "prompts/list":
      return jsonRpcResultResponse(id, {
        prompts: await listFromBackends({
          ctx,
          method: "prompts/list",
          itemsKey: "prompts",
          capability: "prompts",
          mapItem: renamed("name")(ctx),
        }),
      });
    case "resources/list":
      return jsonRpcResultResponse(id, {
        resources: await listFromBackends({
          ctx,
          method: "resources/list",
          itemsKey: "resources",
          capability: "resources",
          mapItem: renamed("uri")(ctx),
        }),
      });
    case "resources/templates/list":
      return jsonRpcResultResponse(id, {
        resourceTemplates: await listFromBackends({
          ctx,
          method: "resources/templates/list",
          itemsKey: "resourceTemplates",
          capability: "resources",
          mapItem: renamed("uriTemplate")(ctx),
        }),
      });
    case "tools/call":
      return callTool({ ctx, request });
    case "prompts/get":
    case "resources/read":
    case "completion/complete":
      return routeByReference({ ctx, request });
    case "logging/setLevel":
      return setLogLevel(ctx, request);
    default:
      throw new McpRequestError("BAD_REQUEST", {
        id,
        rpcCode: JSON_RPC_ERROR.methodNotFound,
        message: `Method not found: ${request.method.slice(0, 100)}`,
        inProtocol: true,
      });
  }
}
