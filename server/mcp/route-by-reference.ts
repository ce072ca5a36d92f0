import { assertServerScope } from "../auth/verify/assert-server-scope";
import { isRecord } from "../protocol/is-record";
import { JSON_RPC_ERROR } from "../protocol/mcp-protocol";
import { resolveName, resolveUri } from "./aggregated-names";
import { forwardRequest } from "./forward-request";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";

// prompts/get, resources/read and completion/complete: like tools/call, routed by the name or URI the
// client saw, checked against the token's scopes, and sent under the server's own name or URI (the
// URIs in the answer are mapped back by the relay, relay/map-result-uris.ts).

const invalidParams = (id: TJsonRpcRequest["id"], message: string) =>
  new McpRequestError("BAD_REQUEST", {
    id,
    rpcCode: JSON_RPC_ERROR.invalidParams,
    message,
    inProtocol: true,
  });

type TRouted = {
  resolved: NonNullable<ReturnType<typeof resolveName>>;
  params: Record<string, unknown>;
};

/** Where a request that names a prompt or resource goes, and its params with the backend's own name. */
export function resolveReference(ctx: TMcpRequestContext, request: TJsonRpcRequest): TRouted {
  const params = request.params ?? {};
  const { id, method } = request;
  if (method === "prompts/get") {
    const resolved = typeof params.name === "string" ? resolveName(ctx.backends, params.name) : null;
    if (!resolved) throw invalidParams(id, `Unknown prompt: ${String(params.name).slice(0, 200)}`);
    return { resolved, params: { ...params, name: resolved.name } };
  }
  if (method === "resources/read" || method === "resources/subscribe" || method === "resources/unsubscribe") {
    const resolved = typeof params.uri === "string" ? resolveUri(ctx.backends, params.uri) : null;
    if (!resolved) throw invalidParams(id, `Unknown resource: ${String(params.uri).slice(0, 200)}`);
    return { resolved, params: { ...params, uri: resolved.name } };
  }
  // completion/complete: the reference is a prompt (by name) or a resource template (by URI).
  const ref = params.ref;
  if (isRecord(ref) && ref.type === "ref/prompt" && typeof ref.name === "string") {
    const resolved = resolveName(ctx.backends, ref.name);
    if (resolved) return { resolved, params: { ...params, ref: { ...ref, name: resolved.name } } };
  }
  if (isRecord(ref) && ref.type === "ref/resource" && typeof ref.uri === "string") {
    const resolved = resolveUri(ctx.backends, ref.uri);
    if (resolved) return { resolved, params: { ...params, ref: { ...ref, uri: resolved.name } } };
  }
  throw invalidParams(id, "Invalid params: completion/complete needs a known prompt or resource reference.");
}

export async function routeByReference({
  ctx,
  request,
  headers,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
  headers: Headers;
}): Promise<Response> {
  const { resolved, params } = resolveReference(ctx, request);
  assertServerScope({ auth: ctx.auth, serverSlug: resolved.backend.slug });
  return forwardRequest({ ctx, request, headers, backend: resolved.backend, params, isToolCall: false });
}
