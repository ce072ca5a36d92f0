import { assertServerScope } from "../auth/verify/assert-server-scope";
import { exposeUri, resolveName, resolveUri } from "./aggregated-names";
import { forwardRequest } from "./forward-request";
import { isRecord } from "./is-record";
import type { TJsonRpcRequest, TJsonRpcResponse } from "./json-rpc-schemas";
import { JSON_RPC_ERROR } from "./mcp-protocol";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";

// prompts/get, resources/read and completion/complete: like tools/call, routed by the name or URI the
// client saw, checked against the token's scopes, and sent under the server's own name or URI. A read
// resource's contents name their URI: mapped back to the aggregated form the client knows.

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

function resolveTarget(ctx: TMcpRequestContext, request: TJsonRpcRequest): TRouted {
  const params = request.params ?? {};
  const { id, method } = request;
  if (method === "prompts/get") {
    const resolved = typeof params.name === "string" ? resolveName(ctx.backends, params.name) : null;
    if (!resolved) throw invalidParams(id, `Unknown prompt: ${String(params.name).slice(0, 200)}`);
    return { resolved, params: { ...params, name: resolved.name } };
  }
  if (method === "resources/read") {
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
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
}): Promise<Response> {
  const { resolved, params } = resolveTarget(ctx, request);
  const { backend } = resolved;
  assertServerScope({ auth: ctx.auth, serverSlug: backend.slug });
  const mapResponse = (response: TJsonRpcResponse): TJsonRpcResponse => {
    if (request.method !== "resources/read" || !("result" in response)) return response;
    const contents = response.result.contents;
    if (!Array.isArray(contents)) return response;
    return {
      ...response,
      result: {
        ...response.result,
        contents: contents.map((content) =>
          isRecord(content) && typeof content.uri === "string"
            ? { ...content, uri: exposeUri(ctx.backends, backend, content.uri) }
            : content,
        ),
      },
    };
  };
  return forwardRequest({ ctx, request, backend, params, isToolCall: false, mapResponse });
}
