import { handOffMcpRequestSpan } from "../observability/tracing/hand-off-mcp-request-span";
import { JSON_RPC_ERROR, MCP_PARAM_HEADER_PREFIX } from "../protocol/mcp-protocol";
import { BackendUnavailableError } from "./backend-unavailable-error";
import type { TCallOutcome } from "./build-failure-answer";
import type { TInstanceBackend } from "./get-instance-backends";
import { digestRequest } from "./input/request-digest";
import { openRequestState } from "./input/request-state";
import { resumeLegacyCall } from "./input/resume-legacy-call";
import type { TJsonRpcRequest } from "./json-rpc-schemas";
import type { TMcpRequestContext } from "./mcp-request-context";
import { McpRequestError } from "./mcp-request-error";
import { createClientReply } from "./relay/client-reply";
import { failCall } from "./relay/fail-call";
import { relayCall } from "./relay/relay-call";
import type { TRelayedCall } from "./relay/relayed-call";
import { resolveBackendChannel } from "./resolve-backend-channel";

// Sends a client's request (tools/call, resources/read, prompts/get, completion/complete) to the
// backend that owns it, and answers with what the backend answers: JSON when that is one message, an
// SSE stream relayed as it arrives when there is more (relay/relay-call.ts does the relaying, in any
// pair of eras). The call ends when its client abandons it or, at the latest, shortly before the
// route's maxDuration.
//
// A 2026-07-28 client's retry of a multi round-trip request carries Tumiki's `requestState`: it is
// opened first (request-state.ts), and one that does not open (tampered, expired, another user's or
// another request's) is refused with invalid params before anything reaches a backend.

/** Below the route's maxDuration (300 s), so the client gets an answer rather than a cut connection. */
const FORWARD_DEADLINE_MS = 290_000;

/** The 2026-07-28 fields of a retry; a backend gets them only in the form its era knows. */
const ROUND_TRIP_PARAMS = ["inputResponses", "requestState"];

const withoutRoundTrip = (params: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(params).filter(([key]) => !ROUND_TRIP_PARAMS.includes(key)));

/** The `Mcp-Param-*` headers a 2026-07-28 client sent: forwarded to a 2026-07-28 backend as they are. */
function forwardedParamHeaders(ctx: TMcpRequestContext, headers: Headers): Record<string, string> {
  if (ctx.client.era !== "modern") return {};
  const forwarded: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.toLowerCase().startsWith(MCP_PARAM_HEADER_PREFIX)) forwarded[name.toLowerCase()] = value;
  });
  return forwarded;
}

/**
 * The call's abort signal: the client abandoned it (2026-07-28: closed the stream; 2025: went away
 * before the stream began, or did not resume it in time; see client-reply.ts) or the deadline passed.
 */
function callSignal(ctx: TMcpRequestContext, reply: TRelayedCall["reply"]) {
  const gone = new AbortController();
  const onClientGone = () => {
    if (!reply.streaming) gone.abort(ctx.signal.reason);
  };
  if (ctx.signal.aborted) onClientGone();
  else ctx.signal.addEventListener("abort", onClientGone, { once: true });
  const cancelled = new AbortController();
  return {
    signal: AbortSignal.any([
      gone.signal,
      cancelled.signal,
      reply.abandoned,
      AbortSignal.timeout(FORWARD_DEADLINE_MS),
    ]),
    cancel: () => cancelled.abort(),
  };
}

async function runCall(call: TRelayedCall, before: (call: TRelayedCall) => Promise<boolean>): Promise<void> {
  const { ctx, request, backend } = call;
  try {
    // What must happen before anything reaches the backend (a tool's confirmation); false: the call
    // has already been answered.
    if (!(await before(call))) return;
    const sealed = request.params?.requestState;
    if (ctx.client.era === "modern" && typeof sealed === "string") {
      const state = openRequestState({
        userId: ctx.auth.userId,
        principal: ctx.client.principal,
        digest: call.digest,
        sealed,
      });
      if (!state || state.serverId !== backend.mcpServerId) {
        call.settle({
          outcome: "FAILURE",
          reason: "invalid_request_state",
          rpcCode: JSON_RPC_ERROR.invalidParams,
        });
        call.reply.end({
          jsonrpc: "2.0",
          id: request.id,
          error: {
            code: JSON_RPC_ERROR.invalidParams,
            message: "Invalid params: requestState is invalid or expired; send the request again without it.",
          },
        });
        return;
      }
      if (state.kind === "continue") {
        await resumeLegacyCall({ call, state });
        return;
      }
      const channel = await resolveBackendChannel({
        userId: ctx.auth.userId,
        client: ctx.client,
        backend,
        signal: call.signal,
      });
      // `reauth` and `confirm` answered Tumiki's own question: the request goes as it came, no answers.
      const params =
        state.kind === "wrap" && channel.era === "modern"
          ? {
              ...call.params,
              inputResponses: request.params?.inputResponses,
              ...(state.inner === null ? {} : { requestState: state.inner }),
            }
          : call.params;
      await relayCall(call, channel, params);
      return;
    }
    const relay = async () => {
      const channel = await resolveBackendChannel({
        userId: ctx.auth.userId,
        client: ctx.client,
        backend,
        signal: call.signal,
      });
      // A retry that carries answers but no state of Tumiki's goes to a 2026-07-28 backend as it came.
      const params =
        channel.era === "modern" &&
        ctx.client.era === "modern" &&
        request.params?.inputResponses !== undefined
          ? { ...call.params, inputResponses: request.params.inputResponses }
          : call.params;
      await relayCall(call, channel, params);
    };
    try {
      await relay();
    } catch (error) {
      // The backend turned out to speak another era than Tumiki knew (it was restarted as one); what
      // was known of it is gone, and nothing reached the client yet: the call is sent again, the era
      // learned anew.
      if (
        !(error instanceof BackendUnavailableError && error.reason === "era_mismatch") ||
        call.reply.streaming
      ) {
        throw error;
      }
      await relay();
    }
  } catch (error) {
    failCall({ call, error });
  }
}

export async function forwardRequest({
  ctx,
  request,
  headers,
  backend,
  params,
  isToolCall,
  before = async () => true,
  settle = () => undefined,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
  /** The client's request headers (2026-07-28 `Mcp-Param-*` are forwarded). */
  headers: Headers;
  backend: TInstanceBackend;
  /** The request's params as the backend must see them (its own names and URIs). */
  params: Record<string, unknown>;
  isToolCall: boolean;
  /**
   * Runs in the call before anything is sent: false when it answered the call itself (a declined
   * confirmation); what it throws ends the call as a backend failure does (fail-call.ts).
   */
  before?: (call: TRelayedCall) => Promise<boolean>;
  settle?: (outcome: TCallOutcome) => void;
}): Promise<Response> {
  if (
    params.inputResponses !== undefined &&
    params.inputResponses !== null &&
    typeof params.inputResponses !== "object"
  ) {
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidParams,
      inProtocol: true,
      message: "Invalid params: inputResponses must be an object.",
    });
  }
  const reply = createClientReply({
    resumable: ctx.client.era === "legacy" ? { sessionKey: ctx.client.handle.key } : null,
  });
  const settled = new AbortController();
  const { signal, cancel } = callSignal(ctx, reply);
  // The request's SERVER span ends with the call, which may stream long after the response began.
  const endSpan = handOffMcpRequestSpan();
  const call: TRelayedCall = {
    ctx,
    request,
    backend,
    params: withoutRoundTrip(params),
    startedAt: Date.now(),
    reply,
    signal,
    cancel,
    digest: digestRequest({ method: request.method, params: params }),
    isToolCall,
    forwardedHeaders: forwardedParamHeaders(ctx, headers),
    settled: settled.signal,
    settle: (outcome) => {
      if (settled.signal.aborted) return;
      settled.abort();
      ctx.meter?.settle({
        server: backend.slug,
        outcome: outcome.outcome === "SUCCESS" ? "success" : "failure",
      });
      endSpan?.(outcome);
      settle(outcome);
    },
  };
  ctx.meter?.handOff();
  void runCall(call, before);
  return reply.response;
}
