import { randomUUID } from "node:crypto";
import { hasServerAccess } from "../../auth/scopes";
import { isRecord } from "../../protocol/is-record";
import { JSON_RPC_ERROR } from "../../protocol/mcp-protocol";
import { followLog } from "../../redis/follow-log";
import { answerBackendRequest } from "../answer-backend-request";
import type { TBackendChannel } from "../backend-channel";
import { BackendUnavailableError } from "../backend-unavailable-error";
import { sessionControlKey, ZSessionControl } from "../events/session-control";
import { collectClientAnswers } from "../input/collect-client-answers";
import { canClientAnswer, toAnswerableInput, ZInputRequests } from "../input/input-request";
import { relayBackendRequest } from "../input/relay-backend-request";
import { suspendLegacyCall } from "../input/suspend-legacy-call";
import type { TJsonRpcMessage, TJsonRpcResponse } from "../json-rpc-schemas";
import { mirrorToolParamHeaders } from "../modern/mirror-tool-param-headers";
import { sendOnChannel } from "../send-on-channel";
import { hasToolListChangedForClient } from "../tools/has-tool-list-changed-for-client";
import { cancelAtBackend } from "./cancel-at-backend";
import { finishCall } from "./finish-call";
import { finishWithInputRequired } from "./finish-with-input-required";
import { CHANGE_NOTIFICATIONS, mapBackendNotification } from "./map-backend-notification";
import { openSessionRequests } from "./open-session-requests";
import { publishBackendChange } from "./publish-backend-change";
import { readBackendEvents } from "./read-backend-events";
import type { TRelayedCall } from "./relayed-call";
import { withSessionRequests } from "./with-session-requests";

// One relayed call, from the request to the backend to the client's answer, in whichever pair of eras
// the client and the backend speak. Notifications are relayed as they come. When the backend needs
// the client's input:
// - 2025 backend, 2025 client: its request goes to the client on the call's stream (relay-backend-
//   request.ts) and the backend goes on once the answer reaches it;
// - 2025 backend, 2026-07-28 client: the call is suspended and the client gets an InputRequiredResult
//   (suspend-legacy-call.ts);
// - 2026-07-28 backend, 2025 client: its input requests go to the client as requests; with the answers
//   Tumiki retries the backend (collect-client-answers.ts), for as many rounds as the backend asks;
// - 2026-07-28 backend, 2026-07-28 client: the InputRequiredResult passes through, the backend's
//   `requestState` sealed inside Tumiki's own (request-state.ts).

/** A backend that keeps asking must not keep a call open forever (the SDK's own shim allows 8). */
const MAX_INPUT_ROUNDS = 10;

/**
 * How long a call's events wait for Tumiki to tell whether a tool list change concerns its client (one
 * listing of the server, which may be busy with this very call): past it, the client is told.
 */
const CHECK_MS = 5_000;

/** How far apart the clocks of app processes and Redis may be. */
const CLOCK_MARGIN_MS = 2_000;

/**
 * How one round ended: with the backend's response (or the client's answer given), with a retry to
 * send (2026-07-28 backend, 2025 client), or with the call suspended, its events now read by the
 * suspension (2025 backend, 2026-07-28 client).
 */
type TRoundOutcome =
  | { kind: "done"; response?: TJsonRpcResponse }
  | { kind: "retry"; params: Record<string, unknown> }
  | { kind: "suspended" };

async function relayRound({
  call,
  channel,
  events,
  backendRequestId,
}: {
  call: TRelayedCall;
  channel: TBackendChannel;
  events: AsyncGenerator<TJsonRpcMessage>;
  /** The id the backend knows this round's request by. */
  backendRequestId: string | number;
}): Promise<TRoundOutcome> {
  const { ctx, backend } = call;
  for (;;) {
    const next = await events.next();
    if (next.done) throw new BackendUnavailableError({ reason: "closed_early", serverName: backend.name });
    const message = next.value;
    if (message.kind === "notification") {
      if (ctx.client.era === "modern" && CHANGE_NOTIFICATIONS.has(message.message.method)) {
        publishBackendChange({ ctx, backend, notification: message.message });
      }
      // A 2025 client hears of a tool list change here only when its view of the server's tools changed.
      if (ctx.client.era === "legacy" && message.message.method === "notifications/tools/list_changed") {
        const check = await hasToolListChangedForClient({
          ctx,
          mcpServerId: backend.mcpServerId,
          withinMs: CHECK_MS,
        });
        if (!check.changed) continue;
      }
      // A token given single tools of this server has nothing to do with its prompts and resources.
      if (
        CHANGE_NOTIFICATIONS.has(message.message.method) &&
        message.message.method !== "notifications/tools/list_changed" &&
        !hasServerAccess(ctx.auth.scopes, backend.slug)
      ) {
        continue;
      }
      const mapped = mapBackendNotification({
        client: ctx.client,
        backends: ctx.backends,
        backend,
        notification: message.message,
      });
      if (mapped) await call.reply.send(mapped);
      continue;
    }
    if (message.kind === "request") {
      const input = toAnswerableInput(ctx.client.capabilities, message.message);
      if (!input || channel.era !== "legacy") {
        answerBackendRequest({ channel, request: message.message });
        continue;
      }
      if (ctx.client.era === "legacy") {
        await relayBackendRequest({ call, channel, request: message.message });
        continue;
      }
      await suspendLegacyCall({ call, channel, events, request: message.message, input, backendRequestId });
      return { kind: "suspended" };
    }
    const response = message.message;
    if (channel.era === "modern" && "result" in response && response.result.resultType === "input_required") {
      const inputRequests = ZInputRequests.safeParse(response.result.inputRequests ?? {});
      // Tumiki declared the client's capabilities: a backend that asks for more is misbehaving, and
      // the client is not asked what it cannot answer.
      const answerable =
        inputRequests.success &&
        Object.values(inputRequests.data).every((input) => canClientAnswer(ctx.client.capabilities, input));
      if (!inputRequests.success || !answerable) {
        throw new BackendUnavailableError({ reason: "invalid_response", serverName: backend.name });
      }
      const backendState =
        typeof response.result.requestState === "string" ? response.result.requestState : null;
      if (ctx.client.era === "modern") {
        finishWithInputRequired({
          call,
          inputRequests: response.result.inputRequests as Record<string, unknown> | undefined,
          state: { kind: "wrap", serverId: backend.mcpServerId, inner: backendState },
        });
        return { kind: "done" };
      }
      const answers = await collectClientAnswers({ call, inputRequests: inputRequests.data });
      return {
        kind: "retry",
        params: {
          ...call.params,
          inputResponses: answers,
          ...(backendState ? { requestState: backendState } : {}),
        },
      };
    }
    return { kind: "done", response };
  }
}

/** A 2026-07-28 backend refused a 2025 client's call for missing `Mcp-Param-*` headers (-32020). */
const needsParamHeaders = (call: TRelayedCall, channel: TBackendChannel, response?: TJsonRpcResponse) =>
  channel.era === "modern" &&
  call.ctx.client.era === "legacy" &&
  call.request.method === "tools/call" &&
  response !== undefined &&
  "error" in response &&
  response.error.code === JSON_RPC_ERROR.headerMismatch;

/**
 * A 2025 client cancels with `notifications/cancelled`, which may reach another app process; a
 * 2026-07-28 backend has no session to pass it to. The process that holds the call follows the
 * session's control log (events/session-control.ts) and closes its stream to the backend: 2026-07-28's
 * cancellation. The log is read from shortly before the call began (log ids carry the time, with a
 * margin for clocks that differ between processes and Redis): a cancellation sent while the backend
 * was still being resolved counts too. Also watched while Tumiki waits for the user's confirmation of a
 * call (tools/confirm-tool-call.ts), `until` it has the answer.
 */
export async function watchForCancellation(call: TRelayedCall, until?: AbortSignal): Promise<void> {
  const { client } = call.ctx;
  if (client.era !== "legacy") return;
  const key = sessionControlKey(client.handle.key);
  try {
    const watching = AbortSignal.any([call.signal, call.settled, ...(until ? [until] : [])]);
    const from = `${Math.max(0, call.startedAt - CLOCK_MARGIN_MS)}-0`;
    for await (const entry of followLog({ key, after: from, signal: watching })) {
      const control = ZSessionControl.safeParse(JSON.parse(entry.value));
      if (
        control.success &&
        control.data.type === "cancelled" &&
        control.data.requestId === call.request.id
      ) {
        call.cancel();
        return;
      }
    }
  } catch {
    // The call ended (its signals aborted), or Redis failed: the call runs to its end.
  }
}

export async function relayCall(
  call: TRelayedCall,
  resolved: TBackendChannel,
  params: Record<string, unknown>,
) {
  if (resolved.era === "modern" && call.ctx.client.era === "legacy") void watchForCancellation(call);
  let channel = resolved;
  let outgoing = params;
  let extraHeaders = call.forwardedHeaders;
  let mirrored = false;
  let id: string | number = call.request.id;
  // A 2026-07-28 client cannot read a 2025 backend's GET stream: Tumiki does, during the call.
  const side =
    channel.era === "legacy" && call.ctx.client.era === "modern"
      ? await openSessionRequests({ channel, signal: call.signal })
      : null;
  /** Whether the session's GET stream went to a round's events, which let go of it when they end. */
  let sideHandedOver = false;
  try {
    for (let round = 0; round < MAX_INPUT_ROUNDS; round += 1) {
      // Every retry is a request of its own (mrtr.mdx: the retry has a new id); the client sees its own id.
      id = round === 0 ? call.request.id : `tumiki-${randomUUID()}`;
      const sent = await sendOnChannel({
        channel,
        message: { jsonrpc: "2.0", id, method: call.request.method, params: outgoing },
        signal: call.signal,
        // Mirrored arguments exist only in 2026-07-28; a 2025 backend gets none.
        extraHeaders: channel.era === "modern" ? extraHeaders : {},
      });
      channel = sent.channel;
      if ((sent.reply.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream")) {
        // The backend streams: so does Tumiki, at once (a 2025 client gets its priming event to resume from).
        call.reply.stream();
      }
      const own = readBackendEvents({ channel, reply: sent.reply, requestId: id, signal: call.signal });
      const events = side ? withSessionRequests({ events: own, side }) : own;
      sideHandedOver = side !== null;
      // Once the round is over, the rest of its events belong to nobody (unless a suspension reads
      // them on): the backend's streams are let go, the session's GET stream included.
      const letGo = () => events.return(undefined).catch(() => undefined);
      const outcome = await relayRound({ call, channel, events, backendRequestId: id }).catch(
        async (error: unknown) => {
          await letGo();
          throw error;
        },
      );
      if (outcome.kind === "suspended") return;
      await letGo();
      if (outcome.kind === "retry") {
        outgoing = outcome.params;
        continue;
      }
      if (!outcome.response) return;
      if (!mirrored && needsParamHeaders(call, channel, outcome.response)) {
        // The 2025 client could not know the tool's x-mcp-header annotations; Tumiki mirrors them.
        mirrored = true;
        const name = typeof outgoing.name === "string" ? outgoing.name : "";
        const args = isRecord(outgoing.arguments) ? outgoing.arguments : {};
        extraHeaders = {
          ...extraHeaders,
          ...(await mirrorToolParamHeaders({ channel, name, args, signal: call.signal })),
        };
        round -= 1;
        continue;
      }
      finishCall({ call, response: outcome.response, status: sent.reply.status });
      return;
    }
  } catch (error) {
    // Closing a 2026-07-28 backend's stream cancels its request; a 2025 backend must be told.
    if (call.signal.aborted && channel.era === "legacy") cancelAtBackend({ channel, requestId: id });
    if (side && !sideHandedOver) await side.close();
    throw error;
  }
  throw new BackendUnavailableError({ reason: "invalid_response", serverName: call.backend.name });
}
