import { oauthErrorResponse } from "../auth/oauth-error-response";
import { InsufficientScopeError, InvalidTokenError, OAuthError } from "../auth/oauth-errors";
import { getProtectedResourceMetadataUrl, isInstanceId } from "../auth/resource-urls";
import { ALL_SERVERS_SCOPE } from "../auth/scopes";
import { auditMcpAuthFailure } from "../auth/verify/audit-mcp-auth-failure";
import { authenticateMcpRequest } from "../auth/verify/authenticate-mcp-request";
import { describeCredentialKind } from "../auth/verify/describe-credential-kind";
import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { RateLimitError, toPublicError } from "../errors";
import { getRequestOrigin } from "../http/get-request-origin";
import { isClientDisconnect } from "../http/is-client-disconnect";
import { getLogger } from "../logger";
import { authAttempts } from "../observability/tumiki-metrics";
import { assertRateLimit } from "../rate-limit/assert-rate-limit";
import { getUserMcpRequestLimit } from "../rate-limit/get-user-mcp-request-limit";
import { rateLimitHeaders } from "../rate-limit/rate-limit-headers";
import { addCorsHeaders } from "./add-cors-headers";
import { assertAllowedOrigin } from "./assert-allowed-origin";
import { jsonRpcErrorResponse } from "./json-rpc-error-response";
import { McpRequestError } from "./mcp-request-error";

// The wrapper of /mcp/{instanceId} (DESIGN.md convention 7): it owns the Origin check, authentication,
// the per-user rate limit and error mapping, so the handler only ever runs for an authenticated,
// unthrottled request from an allowed origin. The Origin check comes first: a page on a foreign origin
// (DNS rebinding) learns nothing, not even whether its token would have been accepted.
// A 401 names the instance's RFC 9728 metadata, which is how MCP clients find Tumiki's authorization
// server; a request without any token gets the bare challenge of RFC 6750 §3.1, with no error code.
//
// Every challenge also names the scopes the request needs (MCP 2026-07-28 scope selection: clients ask
// for exactly those). A 403 names the one server scope its call needs (assertServerScope). A 401 comes
// before the request is read, so all it can say is what using the instance needs: `mcp:access:*`, every
// server the instance bundles, which is what the consent page shows and what /oauth/authorize grants a
// client that asks for no scope. Naming each server's scope instead would leave a server added to the
// instance later out of every token: lists are filtered by scope, so the client would never even see
// that server's tools, let alone be challenged for them.
const INSTANCE_CHALLENGE_SCOPES = [ALL_SERVERS_SCOPE];

export type McpRouteContext = { params: Promise<{ instanceId: string }> };

export type McpHandler = (args: {
  request: Request;
  auth: TMcpAuthContext;
  instanceId: string;
  /**
   * Whether the request's credential still authorizes it, checked as anew (revocation, expiry): a
   * long-lived stream asks this while it stays open (streams/watch-credential.ts).
   */
  recheckAuth: () => Promise<boolean>;
}) => Promise<Response>;

const mcpRequestErrorResponse = (error: McpRequestError) =>
  jsonRpcErrorResponse({
    id: error.id,
    code: error.rpcCode,
    message: error.userMessage,
    data: error.data,
    status: error.status,
    headers: error.headers,
  });

const authFailure = async (error: unknown, request: Request, instanceId: string): Promise<Response> => {
  if (!(error instanceof OAuthError)) return oauthErrorResponse(error);
  await auditMcpAuthFailure({
    instanceId,
    reason: error.reason ?? error.error,
    origin: getRequestOrigin(request.headers),
  });
  if (!(error instanceof InvalidTokenError)) return oauthErrorResponse(error);
  return oauthErrorResponse(error, {
    resourceMetadataUrl: getProtectedResourceMetadataUrl(instanceId),
    challengeScopes: INSTANCE_CHALLENGE_SCOPES,
  });
};

export function withMcpAuth(handler: McpHandler) {
  const authenticateAndHandle = async (request: Request, context: McpRouteContext): Promise<Response> => {
    const { instanceId } = await context.params;
    if (!isInstanceId(instanceId)) {
      return Response.json(
        { error: { code: "NOT_FOUND", message: "No MCP instance lives at this URL." } },
        { status: 404, headers: { "Cache-Control": "no-store" } },
      );
    }

    let auth: TMcpAuthContext;
    try {
      auth = await authenticateMcpRequest({ request, instanceId });
    } catch (error) {
      authAttempts.inc({ kind: describeCredentialKind({ headers: request.headers }), outcome: "failure" });
      return authFailure(error, request, instanceId);
    }
    authAttempts.inc({ kind: auth.kind, outcome: "success" });

    try {
      // An operator may have given this user a limit of their own (the admin page).
      const attempts = (await getUserMcpRequestLimit({ userId: auth.userId })) ?? undefined;
      await assertRateLimit("mcpRequest", auth.userId, { attempts });
    } catch (error) {
      if (error instanceof RateLimitError) {
        return jsonRpcErrorResponse({
          status: 429,
          code: -32000,
          message: "Too many requests for this user. Retry after the time in Retry-After.",
          headers: rateLimitHeaders(error.decision, error.retryAfterSeconds),
        });
      }
      return oauthErrorResponse(error);
    }

    const recheckAuth = () =>
      authenticateMcpRequest({ request, instanceId }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof OAuthError) return false;
          throw error;
        },
      );
    try {
      return await handler({ request, auth, instanceId, recheckAuth });
    } catch (error) {
      if (error instanceof McpRequestError) return mcpRequestErrorResponse(error);
      if (error instanceof InsufficientScopeError) {
        return oauthErrorResponse(error, {
          resourceMetadataUrl: getProtectedResourceMetadataUrl(instanceId),
        });
      }
      if (error instanceof OAuthError) return oauthErrorResponse(error);
      const publicError = toPublicError(error);
      if (isClientDisconnect({ error, signal: request.signal })) {
        getLogger().debug({ err: error, instanceId }, "MCP request ended early: the client went away");
      } else if (publicError.status >= 500) {
        getLogger().error({ err: error, instanceId }, "MCP request failed");
      }
      return jsonRpcErrorResponse({ status: publicError.status, code: -32603, message: publicError.message });
    }
  };

  return async (request: Request, context: McpRouteContext): Promise<Response> => {
    try {
      assertAllowedOrigin(request.headers);
    } catch (error) {
      if (error instanceof McpRequestError) return mcpRequestErrorResponse(error);
      throw error;
    }
    const response = await authenticateAndHandle(request, context);
    return addCorsHeaders({ response, origin: request.headers.get("origin") });
  };
}
