import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import { readLimitedBody } from "../http/read-limited-body";
import { startMcpRequestMeter, type TMcpRequestMeter } from "../observability/start-mcp-request-meter";
import { traceMcpRequest } from "../observability/tracing/trace-mcp-request";
import { JSON_RPC_ERROR, MCP_SESSION_HEADER } from "../protocol/mcp-protocol";
import { assertMcpPostHeaders } from "./assert-mcp-post-headers";
import { classifyClientEra } from "./classify-client-era";
import { pickRelayedCapabilities } from "./client-capabilities";
import { describeClientPrincipal } from "./client-principal";
import { describeLegacyClient } from "./describe-legacy-client";
import { getInstanceBackends } from "./get-instance-backends";
import { getMcpSessionOrThrow } from "./get-mcp-session-or-throw";
import { handleClientNotification } from "./handle-client-notification";
import { handleClientRequest } from "./handle-client-request";
import { deliverClientAnswer } from "./input/deliver-client-answer";
import type { TJsonRpcMessage, TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { assertModernHeaders } from "./modern/assert-modern-headers";
import { readModernEnvelope } from "./modern/read-modern-envelope";
import { parseJsonRpcMessage } from "./parse-json-rpc-message";
import { startMcpSession } from "./start-mcp-session";

// A POST to /mcp/{instanceId} after authentication (withMcpAuth): the transport rules, one JSON-RPC
// message, and the era it belongs to (classify-client-era.ts), decided once here. After this point the
// two eras share routing, aggregation and scopes; they differ in what the client is (a 2025 session, or
// a 2026-07-28 request describing itself) and in framing.
// - 2025: `initialize` starts a session; everything else continues one. Notifications and the client's
//   answers to requests Tumiki relayed are accepted with 202 and no body.
// - 2026-07-28: every request stands alone; its `_meta` and headers are checked first. It sends no
//   notifications or responses over HTTP; a notification is accepted and ignored, a response refused.

/** Tool arguments can be large (documents, code); a megabyte bounds what one request may make us parse. */
const MAX_MCP_BODY_BYTES = 1024 * 1024;

type TPostArgs = {
  request: Request;
  auth: TMcpAuthContext;
  instanceId: string;
  waitUntil: TMcpRequestContext["waitUntil"];
  recheckAuth: TMcpRequestContext["recheckAuth"];
};

async function handleModernPost(
  args: TPostArgs,
  parsed: TJsonRpcMessage,
  meter?: TMcpRequestMeter,
): Promise<Response> {
  const { request, auth, instanceId, waitUntil, recheckAuth } = args;
  if (parsed.kind === "notification") return new Response(null, { status: 202 });
  if (parsed.kind === "response") {
    throw new McpRequestError("BAD_REQUEST", {
      rpcCode: JSON_RPC_ERROR.invalidRequest,
      message: "Invalid Request: a 2026-07-28 client sends no responses; answer input requests in a retry.",
    });
  }
  const envelope = readModernEnvelope({ request: parsed.message, headers: request.headers });
  assertModernHeaders({ headers: request.headers, request: parsed.message });
  const backends = await getInstanceBackends({ instanceId, userId: auth.userId });
  const ctx: TMcpRequestContext = {
    auth,
    instanceId,
    client: {
      era: "modern",
      envelope,
      principal: describeClientPrincipal(auth),
      capabilities: pickRelayedCapabilities(envelope.capabilities),
      logLevel: envelope.logLevel,
    },
    backends,
    signal: request.signal,
    waitUntil,
    recheckAuth,
    meter,
  };
  return handleClientRequest({ ctx, request: parsed.message, headers: request.headers });
}

async function handleLegacyPost(
  args: TPostArgs,
  parsed: TJsonRpcMessage,
  meter?: TMcpRequestMeter,
): Promise<Response> {
  const { request, auth, instanceId, waitUntil, recheckAuth } = args;
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
    const backends = await getInstanceBackends({ instanceId, userId: auth.userId });
    return startMcpSession({
      request: parsed.message as TJsonRpcRequest,
      auth,
      instanceId,
      backends,
      signal: request.signal,
      waitUntil,
      recheckAuth,
    });
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
  const ctx: TMcpRequestContext = {
    auth,
    instanceId,
    client: describeLegacyClient(handle),
    backends,
    signal: request.signal,
    waitUntil,
    recheckAuth,
    meter,
  };

  if (parsed.kind === "notification") {
    await handleClientNotification({ ctx, notification: parsed.message });
    return new Response(null, { status: 202 });
  }
  if (parsed.kind === "response") {
    await deliverClientAnswer({ ctx, response: parsed.message });
    return new Response(null, { status: 202 });
  }
  return handleClientRequest({ ctx, request: parsed.message, headers: request.headers });
}

export async function handleMcpPost(args: TPostArgs): Promise<Response> {
  // The body is read before any refusal, so the connection stays usable for the client's next request.
  const text = await readLimitedBody({ request: args.request, maxBytes: MAX_MCP_BODY_BYTES });
  if (text === null) {
    throw new McpRequestError("PAYLOAD_TOO_LARGE", {
      rpcCode: JSON_RPC_ERROR.invalidRequest,
      message: "Invalid Request: the body exceeds 1 MiB.",
      // The rest of the body was never read: this connection cannot carry another request.
      headers: { Connection: "close" },
    });
  }
  const parsed = parseJsonRpcMessage(text);
  const era = classifyClientEra(parsed, args.request.headers);
  if (parsed.kind !== "request") {
    assertMcpPostHeaders(args.request.headers, era);
    return era === "modern" ? handleModernPost(args, parsed) : handleLegacyPost(args, parsed);
  }
  // A request runs in its SERVER span, which continues the client's trace (trace-mcp-request.ts).
  return traceMcpRequest({
    message: parsed.message,
    headers: args.request.headers,
    run: async () => {
      const meter = startMcpRequestMeter({ method: parsed.message.method, era });
      try {
        assertMcpPostHeaders(args.request.headers, era);
        const response = await (era === "modern"
          ? handleModernPost(args, parsed, meter)
          : handleLegacyPost(args, parsed, meter));
        if (!meter.handedOff) {
          meter.settle({ server: "tumiki", outcome: response.status < 400 ? "success" : "failure" });
        }
        return response;
      } catch (error) {
        meter.settle({ server: "tumiki", outcome: "failure" });
        throw error;
      }
    },
  });
}
