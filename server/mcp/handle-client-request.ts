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

/** The aggregated lists: where a server's result holds its items, the capability it needs, the key renamed. */
const LISTS = {
  "tools/list": { itemsKey: "tools", capability: "tools", renamedKey: "name" },
  "prompts/list": { itemsKey: "prompts", capability: "prompts", renamedKey: "name" },
  "resources/list": { itemsKey: "resources", capability: "resources", renamedKey: "uri" },
  "resources/templates/list": {
    itemsKey: "resourceTemplates",
    capability: "resources",
    renamedKey: "uriTemplate",
  },
} as const;

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
  return jsonRpcResultResponse({ id: request.id, result: {} });
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
      return jsonRpcResultResponse({ id, result: {} });
    case "tools/list":
    case "prompts/list":
    case "resources/list":
    case "resources/templates/list": {
      const { itemsKey, capability, renamedKey } = LISTS[request.method];
      const items = await listFromBackends({
        ctx,
        method: request.method,
        itemsKey,
        capability,
        mapItem: renamed(renamedKey)(ctx),
      });
      return jsonRpcResultResponse({ id, result: { [itemsKey]: items } });
    }
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
