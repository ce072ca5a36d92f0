import { RateLimitError, toPublicError } from "../../errors";
import { getRequestOrigin } from "../../http/get-request-origin";
import { getLogger } from "../../logger";
import { assertRateLimit } from "../../rate-limit/assert-rate-limit";
import { rateLimitHeaders } from "../../rate-limit/rate-limit-headers";
import { oauthErrorResponse } from "../oauth-error-response";
import { InsufficientScopeError, InvalidTokenError, OAuthError } from "../oauth-errors";
import { getProtectedResourceMetadataUrl } from "../resource-urls";
import { auditMcpAuthFailure } from "./audit-mcp-auth-failure";
import { authenticateMcpRequest } from "./authenticate-mcp-request";
import type { TMcpAuthContext } from "./mcp-auth-context";

// The wrapper of /mcp/{instanceId} (DESIGN.md convention 7): it owns authentication, the per-user rate
// limit and error mapping, so the handler only ever runs for an authenticated, unthrottled request.
// A 401 names the instance's RFC 9728 metadata, which is how MCP clients find Tumiki's authorization
// server; a request without any token gets the bare challenge of RFC 6750 §3.1, with no error code.

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type McpRouteContext = { params: Promise<{ instanceId: string }> };

export type McpHandler = (args: {
  request: Request;
  auth: TMcpAuthContext;
  instanceId: string;
}) => Promise<Response>;

const jsonRpcError = (status: number, code: number, message: string, headers: HeadersInit = {}) =>
  Response.json(
    { jsonrpc: "2.0", id: null, error: { code, message } },
    { status, headers: { "Cache-Control": "no-store", ...headers } },
  );

const authFailure = async (error: unknown, request: Request, instanceId: string): Promise<Response> => {
  if (!(error instanceof OAuthError)) return oauthErrorResponse(error);
  await auditMcpAuthFailure({
    instanceId,
    reason: error.reason ?? error.error,
    origin: getRequestOrigin(request.headers),
  });
  if (!(error instanceof InvalidTokenError)) return oauthErrorResponse(error);
  const resourceMetadataUrl = getProtectedResourceMetadataUrl(instanceId);
  const response = oauthErrorResponse(error, { resourceMetadataUrl });
  if (error.reason === "missing_token") {
    response.headers.set("WWW-Authenticate", `Bearer resource_metadata="${resourceMetadataUrl}"`);
  }
  return response;
};

export function withMcpAuth(handler: McpHandler) {
  return async (request: Request, context: McpRouteContext): Promise<Response> => {
    const { instanceId } = await context.params;
    if (!UUID_V4.test(instanceId)) {
      return Response.json(
        { error: { code: "NOT_FOUND", message: "No MCP instance lives at this URL." } },
        { status: 404, headers: { "Cache-Control": "no-store" } },
      );
    }

    let auth: TMcpAuthContext;
    try {
      auth = await authenticateMcpRequest({ request, instanceId });
    } catch (error) {
      return authFailure(error, request, instanceId);
    }

    try {
      await assertRateLimit("mcpRequest", auth.userId);
    } catch (error) {
      if (error instanceof RateLimitError) {
        return jsonRpcError(
          429,
          -32000,
          "Too many requests for this user. Retry after the time in Retry-After.",
          rateLimitHeaders(error.decision, error.retryAfterSeconds),
        );
      }
      return oauthErrorResponse(error);
    }

    try {
      return await handler({ request, auth, instanceId });
    } catch (error) {
      if (error instanceof InsufficientScopeError) {
        return oauthErrorResponse(error, {
          resourceMetadataUrl: getProtectedResourceMetadataUrl(instanceId),
        });
      }
      if (error instanceof OAuthError) return oauthErrorResponse(error);
      const publicError = toPublicError(error);
      if (publicError.status >= 500) getLogger().error({ err: error, instanceId }, "MCP request failed");
      return jsonRpcError(publicError.status, -32603, publicError.message);
    }
  };
}
