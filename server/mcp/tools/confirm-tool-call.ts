import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { getEnv } from "../../env";
import { isRecord } from "../../protocol/is-record";
import { getRedis } from "../../redis";
import type { TToolDefinition } from "../../tool-controls/tool-definition";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { collectClientAnswers } from "../input/collect-client-answers";
import { INPUT_LIFETIME_MS } from "../input/input-lifetime";
import { InputRefusedError } from "../input/input-refused-error";
import { canClientAnswer, type TInputRequest } from "../input/input-request";
import { openRequestState, type TRequestState } from "../input/request-state";
import { finishWithInputRequired } from "../relay/finish-with-input-required";
import { watchForCancellation } from "../relay/relay-call";
import type { TRelayedCall } from "../relay/relayed-call";
import { auditToolConfirmation } from "./audit-tool-confirmation";
import { buildConfirmationRequest } from "./build-confirmation-request";
import { refuseUnconfirmedCall } from "./refuse-unconfirmed-call";

// Asks the user to confirm one call of a tool that needs it (an instance's destructive tools, or tools
// chosen by hand: decide-tool-state.ts), before anything reaches the backend. True lets the call go on;
// false means the call was answered here (refused, or a 2026-07-28 client asked first).
//
// - A 2025 client that declared form elicitation gets an `elicitation/create` request on the call's
//   stream. Its answer may reach any app process: the request's id is a relayed request id of kind
//   `collect`, and the answer comes back through the Redis log collect-client-answers.ts follows.
// - A 2026-07-28 client gets an InputRequiredResult with the question and Tumiki's sealed state of kind
//   `confirm` (bound to the user, the principal and this very tool and arguments). Its retry carries the
//   answer; the state's nonce is claimed in Redis once, so a replayed retry cannot run the call again,
//   and its deadline bounds how long the question stays open. A retry that carries Tumiki's `wrap` or
//   `continue` state reached the backend before, for this same request: its confirmation was given, and
//   it goes on once (the state is claimed in Redis too); the same state again is asked about anew.
// - A "no", an error answer, no answer in time (MCP_CONFIRMATION_TIMEOUT_SECONDS), or a client that
//   cannot be asked, refuses the call with a tool error (refuse-unconfirmed-call.ts): never run silently.

/** The key of the question among the input requests. */
const CONFIRM_KEY = "tumiki_confirm";

/** How far apart the clocks of app processes may be: a claimed nonce outlives its deadline by this. */
const CLOCK_MARGIN_MS = 60_000;

const ZElicitAnswer = z.object({ action: z.string() });

const usedNonceKey = (userId: string, nonce: string) => `mcp_confirmation_used:${userId}:${nonce}`;
const usedStateKey = (userId: string, sealed: string) =>
  `mcp_confirmed_retry_used:${userId}:${createHash("sha256").update(sealed).digest("base64url")}`;

const timeoutMs = () => getEnv().MCP_CONFIRMATION_TIMEOUT_SECONDS * 1000;

function accept(call: TRelayedCall): true {
  auditToolConfirmation({ call, outcome: "accepted" });
  return true;
}

/** The answer's verdict: yes only for `accept` (decline, cancel and anything else refuse). */
const isAccepted = (answer: unknown) => ZElicitAnswer.safeParse(answer).data?.action === "accept";

const isTimeout = (error: unknown) => error instanceof Error && error.name === "TimeoutError";

const canAsk = (call: TRelayedCall, question: TInputRequest) =>
  canClientAnswer(call.ctx.client.capabilities, question);

async function confirmLegacy(call: TRelayedCall, question: TInputRequest): Promise<boolean> {
  if (!canAsk(call, question)) return refuseUnconfirmedCall({ call, refusal: "unavailable" });
  let answers: Record<string, unknown>;
  // A client that cancels the call (notifications/cancelled, at any process) ends the wait at once.
  const answered = new AbortController();
  void watchForCancellation(call, answered.signal);
  try {
    answers = await collectClientAnswers({
      call,
      inputRequests: { [CONFIRM_KEY]: question },
      timeoutMs: timeoutMs(),
    });
  } catch (error) {
    if (error instanceof InputRefusedError) return refuseUnconfirmedCall({ call, refusal: "declined" });
    if (!call.signal.aborted && isTimeout(error)) {
      return refuseUnconfirmedCall({ call, refusal: "timed_out" });
    }
    if (!call.signal.aborted) throw error;
    // The client went away or cancelled the call: it ends as any abandoned call does (fail-call.ts).
    auditToolConfirmation({ call, outcome: "cancelled", reason: "cancelled" });
    throw new BackendUnavailableError({ reason: "cancelled", serverName: call.backend.name });
  } finally {
    answered.abort();
  }
  return isAccepted(answers[CONFIRM_KEY])
    ? accept(call)
    : refuseUnconfirmedCall({ call, refusal: "declined" });
}

/** Asks a 2026-07-28 client, by ending this request with an InputRequiredResult its retry answers. */
function ask(call: TRelayedCall, question: TInputRequest): false {
  if (!canAsk(call, question)) return refuseUnconfirmedCall({ call, refusal: "unavailable" });
  finishWithInputRequired({
    call,
    inputRequests: { [CONFIRM_KEY]: question },
    state: {
      kind: "confirm",
      serverId: call.backend.mcpServerId,
      nonce: randomBytes(16).toString("base64url"),
      deadline: Date.now() + timeoutMs(),
    },
  });
  return false;
}

async function answerRetry(
  call: TRelayedCall,
  question: TInputRequest,
  state: Extract<TRequestState, { kind: "confirm" }>,
): Promise<boolean> {
  const now = Date.now();
  if (now > state.deadline) return refuseUnconfirmedCall({ call, refusal: "timed_out" });
  const responses = call.request.params?.inputResponses;
  const answer = isRecord(responses) ? responses[CONFIRM_KEY] : undefined;
  // mrtr.mdx "Error Handling": a retry without the answer is asked again rather than failed.
  if (!isRecord(answer)) return ask(call, question);
  // One answer per question: a yes runs the call once, and a no cannot be turned into a yes later.
  const first = await getRedis().set(usedNonceKey(call.ctx.auth.userId, state.nonce), "1", {
    nx: true,
    px: state.deadline - now + CLOCK_MARGIN_MS,
  });
  if (!first) return refuseUnconfirmedCall({ call, refusal: "reused" });
  return isAccepted(answer) ? accept(call) : refuseUnconfirmedCall({ call, refusal: "declined" });
}

async function confirmModern(call: TRelayedCall, question: TInputRequest): Promise<boolean> {
  const { ctx, request, backend } = call;
  if (ctx.client.era !== "modern") throw new Error("confirmModern serves 2026-07-28 clients only");
  const sealed = request.params?.requestState;
  const state =
    typeof sealed === "string"
      ? openRequestState({
          userId: ctx.auth.userId,
          principal: ctx.client.principal,
          digest: call.digest,
          sealed,
        })
      : null;
  if (state && state.serverId === backend.mcpServerId && typeof sealed === "string") {
    // The call was confirmed and reached the backend, which asks for more: this retry goes on with it,
    // once. Sent again, the same state would run the tool again on the strength of that one yes, so a
    // state seen before is asked about anew.
    if (state.kind === "wrap" || state.kind === "continue") {
      const fresh = await getRedis().set(usedStateKey(ctx.auth.userId, sealed), "1", {
        nx: true,
        px: INPUT_LIFETIME_MS + CLOCK_MARGIN_MS,
      });
      return fresh ? true : ask(call, question);
    }
    if (state.kind === "confirm") return answerRetry(call, question, state);
  }
  // No state, a `reauth` one (the call has not run), or one that does not open: the question is asked.
  return ask(call, question);
}

export async function confirmToolCall({
  call,
  definition,
}: {
  call: TRelayedCall;
  definition: TToolDefinition;
}): Promise<boolean> {
  const question = buildConfirmationRequest({
    backend: call.backend,
    tool: typeof call.params.name === "string" ? call.params.name : definition.name,
    definition,
    args: call.params.arguments,
  });
  return call.ctx.client.era === "legacy" ? confirmLegacy(call, question) : confirmModern(call, question);
}
