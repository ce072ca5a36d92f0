import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { readLimitedBody } from "../http/read-limited-body";
import { assertMcpPostHeaders } from "./assert-mcp-post-headers";
import { getInstanceBackends } from "./get-instance-backends";
import { getMcpSessionOrThrow } from "./get-mcp-session-or-throw";
import { handleClientNotification } from "./handle-client-notification";
import { handleClientRequest } from "./handle-client-request";
import { JSON_RPC_ERROR, MCP_SESSION_HEADER } from "./mcp-protocol";
import { McpRequestError } from "./mcp-request-error";
import { parseJsonRpcMessage } from "./parse-json-rpc-message";
import { startMcpSession } from "./start-mcp-session";

// A POST to /mcp/{instanceId} after authentication (withMcpAuth): the transport rules, one JSON-RPC
// message, then `initialize` starts a session and everything else continues one. Notifications and
// the client's responses are accepted with 202 and no body, as Streamable HTTP prescribes.

/** Tool arguments can be large (documents, code); a megabyte bounds what one request may make us parse. */
const MAX_MCP_BODY_BYTES = 1024 * 1024;

export async function handleMcpPost({
  request,
  auth,
  instanceId,
}: {
  request: Request;
  auth: TMcpAuthContext;
  instanceId: string;
}): Promise<Response> {
  // The body is read before any refusal, so the connection stays usable for the client's next request.
  const text = await readLimitedBody({ request, maxBytes: MAX_MCP_BODY_BYTES });
  if (text === null) {
    throw new McpRequestError("PAYLOAD_TOO_LARGE", {
      rpcCode: JSON_RPC_ERROR.invalidRequest,
      message: "Invalid Request: the body exceeds 1 MiB.",
      // The rest of the body was never read: this connection cannot carry another request.
      headers: { Connection: "close" },
    });
  }
  assertMcpPostHeaders(request.headers);
  const parsed = parseJsonRpcMessage(text);
  const sessionId = request.headers.get(MCP_SESSION_HEADER);
  const id = parsed.kind === "request" ? parsed.message.id : null;

  if (parsed.kind === "request" && parsed.message.method === "initialize") {
    if (sessionId !== null) {
      throw new McpRequestError("BAD_REQUEST", {
        id,
        rpcCode: JSON_RPC_ERROR.invalidRequest,
        message: "Invalid Request: initialize starts a session; send it without Mcp-Session-Id.",
      });
    }
    return startMcpSession({ request: parsed.message, auth, instanceId, signal: request.signal });
  }
  if (sessionId === null) {
    throw new McpRequestError("BAD_REQUEST", {
      id,
      rpcCode: JSON_RPC_ERROR.transportError,
      message: "Bad Request: the Mcp-Session-Id header is required; start a session with initialize.",
    });
  }
  const [handle, backends] = await Promise.all([
    getMcpSessionOrThrow({ sessionId, userId: auth.userId, instanceId }),
    getInstanceBackends({ instanceId, userId: auth.userId }),
  ]);
  const ctx = { auth, instanceId, handle, backends, signal: request.signal };

  if (parsed.kind === "notification") {
    await handleClientNotification({ ctx, notification: parsed.message });
    return new Response(null, { status: 202 });
  }
  // Tumiki sends clients no requests, so a response from one answers nothing; accepted all the same.
  if (parsed.kind === "response") return new Response(null, { status: 202 });
  return handleClientRequest({ ctx, request: parsed.message });
}
