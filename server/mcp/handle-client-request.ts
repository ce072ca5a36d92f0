import { getLogger } from "../logger";
import { JSON_RPC_ERROR, LOG_LEVELS } from "../protocol/mcp-protocol";
import { exposeName, exposeUri } from "./aggregated-names";
import { callTool } from "./call-tool";
import { updateMcpSession } from "./create-mcp-session";
import { frameResultForClient } from "./frame-result-for-client";
import { jsonRpcResultResponse } from "./json-rpc-result-response";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import { leftOutMeta } from "./left-out-servers";
import { listFromBackends } from "./list-from-backends";
import { backendsInScope, backendsWithTools, type TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { buildDiscoverResult } from "./modern/build-discover-result";
import { resolveBackendChannel } from "./resolve-backend-channel";
import { routeByReference } from "./route-by-reference";
import { sendOnChannel } from "./send-on-channel";
import { openListenStream } from "./streams/open-listen-stream";
import { subscribeResource } from "./subscribe-resource";
import { applyToolControls } from "./tools/apply-tool-controls";
import { rememberListedTools } from "./tools/remember-listed-tools";

// The requests of a client, by method, in either era (the era decides framing, not routing): lists are
// answered by Tumiki from its backends (aggregated and scope-filtered; servers left out are named in
// `_meta`), calls go to the backend that owns them. Some methods exist in one era only: 2025 has
// `initialize` (handled before a session exists, handle-mcp-post.ts), ping, logging/setLevel and
// resources/subscribe; 2026-07-28 has
// server/discover and subscriptions/listen, and answers a method it does not know with HTTP 404.

const renamed =
  (key: "name" | "uri" | "uriTemplate") =>
  (ctx: TMcpRequestContext) =>
  (backend: TMcpRequestContext["backends"][number], item: Record<string, unknown>) => {
    const value = item[key];
    if (typeof value !== "string") return null;
    const expose = key === "name" ? exposeName : exposeUri;
    return { ...item, [key]: expose(ctx.backends, backend, value) };
  };

/**
 * The aggregated lists: where a server's result holds its items, the capability it needs, the key renamed.
 */
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

const LEGACY_ONLY = new Set(["ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"]);
const MODERN_ONLY = new Set(["server/discover", "subscriptions/listen"]);

const answer = (ctx: TMcpRequestContext, request: TJsonRpcRequest, result: Record<string, unknown>) =>
  jsonRpcResultResponse({
    id: request.id,
    result: frameResultForClient({ client: ctx.client, method: request.method, result }),
  });

function methodNotFound(ctx: TMcpRequestContext, request: TJsonRpcRequest): McpRequestError {
  // 2026-07-28 answers an unknown method with 404 (streamable-http.mdx); 2025 in-protocol, on 200.
  return new McpRequestError(ctx.client.era === "modern" ? "NOT_FOUND" : "BAD_REQUEST", {
    id: request.id,
    rpcCode: JSON_RPC_ERROR.methodNotFound,
    message: `Method not found: ${request.method.slice(0, 100)}`,
    inProtocol: ctx.client.era === "legacy",
  });
}

/**
 * logging/setLevel (2025): every 2025 backend the token covers that logs takes the level in its
 * session; for 2026-07-28 backends it is kept with the session and sent with each request (`_meta`).
 */
async function setLogLevel(ctx: TMcpRequestContext, request: TJsonRpcRequest) {
  if (ctx.client.era !== "legacy") throw methodNotFound(ctx, request);
  const level = request.params?.level;
  if (typeof level !== "string" || !LOG_LEVELS.includes(level)) {
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidParams,
      inProtocol: true,
      message: `Invalid params: level must be one of ${LOG_LEVELS.join(", ")}.`,
    });
  }
  await updateMcpSession({ handle: ctx.client.handle, patch: { logLevel: level } });
  const client = { ...ctx.client, logLevel: level };
  await Promise.all(
    backendsInScope(ctx).map(async (backend) => {
      try {
        const channel = await resolveBackendChannel({
          userId: ctx.auth.userId,
          client,
          backend,
          signal: ctx.signal,
        });
        if (channel.era !== "legacy" || !("logging" in channel.session.capabilities)) return;
        const { reply } = await sendOnChannel({
          channel,
          message: { ...request, id: `tumiki-${request.id}-${backend.slug}` },
          signal: ctx.signal,
        });
        await reply.body.cancel();
      } catch (error) {
        getLogger().warn({ err: error, server: backend.slug }, "a backend did not take the log level");
      }
    }),
  );
  return answer(ctx, request, {});
}

export async function handleClientRequest({
  ctx,
  request,
  headers,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
  headers: Headers;
}): Promise<Response> {
  const { method } = request;
  if (ctx.client.era === "modern" ? LEGACY_ONLY.has(method) : MODERN_ONLY.has(method)) {
    throw methodNotFound(ctx, request);
  }
  switch (method) {
    case "ping":
      return answer(ctx, request, {});
    case "server/discover":
      return answer(ctx, request, await buildDiscoverResult(ctx));
    case "tools/list":
    case "prompts/list":
    case "resources/list":
    case "resources/templates/list": {
      const { itemsKey, capability, renamedKey } = LISTS[method];
      const { items, ttlMs, leftOut } = await listFromBackends({
        ctx,
        method,
        itemsKey,
        capability,
        mapItem: renamed(renamedKey)(ctx),
        // Tools go through the instance's tool controls and the token's tool scopes too.
        ...(method === "tools/list"
          ? {
              backends: backendsWithTools(ctx),
              select: async (backend, items) => {
                const { visible } = await applyToolControls({ ctx, backend, items });
                // What the client was shown decides which of the server's list changes it hears of.
                await rememberListedTools({
                  ctx,
                  mcpServerId: backend.mcpServerId,
                  listed: { visible, served: items },
                });
                return visible;
              },
            }
          : {}),
      });
      if (method === "tools/list") {
        await Promise.all(
          leftOut.map((server) => rememberListedTools({ ctx, mcpServerId: server.id, listed: null })),
        );
      }
      return answer(ctx, request, { [itemsKey]: items, ttlMs, ...leftOutMeta(leftOut) });
    }
    case "tools/call":
      return callTool({ ctx, request, headers });
    case "prompts/get":
    case "resources/read":
    case "completion/complete":
      return routeByReference({ ctx, request, headers });
    case "resources/subscribe":
    case "resources/unsubscribe":
      return subscribeResource({ ctx, request, headers });
    case "logging/setLevel":
      return setLogLevel(ctx, request);
    case "subscriptions/listen":
      return openListenStream({ ctx, request });
    default:
      throw methodNotFound(ctx, request);
  }
}
